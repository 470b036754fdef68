"""Every revision of a long edit history reads back exactly as the owner saw the plan at
that version: random histories of every kind of change (entries, custom sections, orders,
renames, restores, sync batches merged onto older versions, refused changes), and long
fixed ones. Through the public API only, so the checks hold however history is stored."""

import uuid
from datetime import date

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    precondition,
    rule,
    run_state_machine_as_test,
)

from tests.helpers.accounts import Account
from tests.helpers.history import PLANS, PlanHistory
from tests.helpers.sync import SYNC

# Words as people write them: accents, emoji (joined ones too), both kinds of quotes,
# newlines, tabs, backslashes, right-to-left script, markup, padding the API trims.
_PHRASES = [
    "Walking the dog early",
    "Café on the corner ☕",
    '“Curly” and "straight" quotes, it\'s',
    "line one\nline two\n",
    "😀🌧️👨‍👩‍👧 family",
    "tab\tseparated",
    "back\\slash and /slash",
    "<b>not markup</b> & more",
    "日本語のテキスト",
    "مرحبا بالعالم",
    "  padded with spaces  ",
    "Ünïcödé ñ ß ø",
]
_CHARACTERS = st.characters(exclude_categories=("Cs",), exclude_characters="\x00")
TEXTS = st.one_of(
    st.lists(st.sampled_from(_PHRASES), min_size=1, max_size=3).map(" ".join),
    st.text(_CHARACTERS, min_size=1, max_size=30).filter(str.strip),
)
SHORT_TEXTS = st.one_of(st.just(""), TEXTS)
TITLES = st.one_of(st.sampled_from(_PHRASES), st.text(_CHARACTERS, min_size=1, max_size=40)).filter(
    str.strip
)
DATES = st.dates(date(2020, 1, 1), date(2035, 12, 31)).map(date.isoformat)
GOALS = st.fixed_dictionaries(
    {},
    optional={
        "way": st.sampled_from(["connect", "be_active", "take_notice", "learn", "give", None]),
        "steps": SHORT_TEXTS,
        "by_when": st.one_of(st.none(), DATES),
        "who_can_help": SHORT_TEXTS,
        "how_ill_know": SHORT_TEXTS,
        "progress": st.one_of(st.none(), st.integers(-2, 2)),
        "review_date": st.one_of(st.none(), DATES),
    },
)
MAX_CUSTOM_SECTIONS = 6
# How far back a synced change's base version may be: far enough that other changes came
# between, so the batch is merged onto a newer plan than the device had.
SYNC_BASE_REACH = 8


def _entry_fields(data, section: dict, *, editing: bool) -> dict:
    """An entry's fields for `section`: always text when adding; when editing any of them,
    and prompt or goal may be cleared."""
    fields = {}
    if not editing or data.draw(st.booleans()):
        fields["text"] = data.draw(TEXTS)
    if data.draw(st.booleans()):
        prompts = [p["key"] for p in section["prompts"]]
        choices = prompts + [None] if editing else prompts
        if choices:
            fields["prompt"] = data.draw(st.sampled_from(choices))
    if section["kind"] == "goals" and data.draw(st.booleans()):
        fields["goal"] = data.draw(st.one_of(st.none(), GOALS) if editing else GOALS)
    return fields or {"text": data.draw(TEXTS)}


KEPT_CONTRADICTIONS = st.builds(
    "{}:{}".format,
    st.sampled_from(["medicine", "person", "speaks_for_me"]),
    st.uuids().map(lambda u: u.hex),
)


def _section_fields(data) -> dict:
    fields = data.draw(
        st.fixed_dictionaries(
            {},
            optional={
                "title": TITLES,
                "description": SHORT_TEXTS,
                "hidden": st.booleans(),
                "kept_contradictions": st.lists(KEPT_CONTRADICTIONS, max_size=2),
            },
        )
    )
    return fields or {"hidden": data.draw(st.booleans())}


class EditHistory(RuleBasedStateMachine):
    """One plan edited at random by its owner; what each version showed is recorded and
    every revision compared with it at the end (and some along the way)."""

    owner: Account  # set by the test, on a subclass

    @initialize(template=st.sampled_from(["green_book", "wrap"]), title=TITLES)
    def make_plan(self, template, title):
        response = self.owner.post(PLANS, json={"template": template, "title": title})
        assert response.status_code == 201, response.text
        self.history = PlanHistory(self.owner, response.json()["id"])
        self.removed_sections: list[str] = []
        self.sync_cursor = None

    # ---- what the plan holds now -----------------------------------------------------

    @property
    def sections(self) -> list[dict]:
        return self.history.latest["sections"]

    def entries(self) -> list[tuple[dict, dict]]:
        return [(s, e) for s in self.sections for e in s["entries"]]

    def custom_sections(self) -> list[dict]:
        return [s for s in self.sections if s["custom"]]

    def _change(self, method: str, path: str, status: int = 200, **request) -> dict:
        before = self.history.version
        response = self.owner.request(method, f"{self.history.url}{path}", **request)
        return self.history.changed(response, before, status)

    # ---- changes the owner makes -----------------------------------------------------

    @rule(data=st.data())
    def add_entry(self, data):
        section = data.draw(st.sampled_from(self.sections))
        body = _entry_fields(data, section, editing=False)
        self._change("POST", f"/sections/{section['key']}/entries", 201, json=body)

    @precondition(lambda self: self.entries())
    @rule(data=st.data())
    def edit_entry(self, data):
        section, entry = data.draw(st.sampled_from(self.entries()))
        body = _entry_fields(data, section, editing=True)
        self._change("PATCH", f"/sections/{section['key']}/entries/{entry['id']}", json=body)

    @precondition(lambda self: self.entries())
    @rule(data=st.data())
    def remove_entry(self, data):
        section, entry = data.draw(st.sampled_from(self.entries()))
        self._change("DELETE", f"/sections/{section['key']}/entries/{entry['id']}", 204)

    @precondition(lambda self: any(len(s["entries"]) > 1 for s in self.sections))
    @rule(data=st.data())
    def reorder_entries(self, data):
        section = data.draw(st.sampled_from([s for s in self.sections if len(s["entries"]) > 1]))
        order = data.draw(st.permutations([e["id"] for e in section["entries"]]))
        self._change("PUT", f"/sections/{section['key']}/entry-order", json={"entry_ids": order})

    @precondition(lambda self: len(self.custom_sections()) < MAX_CUSTOM_SECTIONS)
    @rule(title=TITLES, description=SHORT_TEXTS)
    def add_section(self, title, description):
        body = {"title": title, "description": description}
        self._change("POST", "/sections", 201, json=body)

    @rule(data=st.data())
    def edit_section(self, data):
        section = data.draw(st.sampled_from(self.sections))
        self._change("PATCH", f"/sections/{section['key']}", json=_section_fields(data))

    @precondition(lambda self: self.custom_sections())
    @rule(data=st.data())
    def remove_section(self, data):
        section = data.draw(st.sampled_from(self.custom_sections()))
        self._change("DELETE", f"/sections/{section['key']}", 204)
        self.removed_sections.append(section["key"])

    @rule(data=st.data())
    def reorder_sections(self, data):
        order = data.draw(st.permutations([s["key"] for s in self.sections]))
        self._change("PUT", "/section-order", json={"keys": order})

    @rule(title=TITLES)
    def rename_plan(self, title):
        response = self.owner.patch(self.history.url, json={"title": title})
        if title.strip() == self.history.latest["title"]:
            self.history.unchanged(response, 200)  # the same name is no change
        else:
            self.history.changed(response, self.history.version)

    @precondition(lambda self: self.history.version > 1)
    @rule(data=st.data())
    def restore_revision(self, data):
        number = data.draw(st.integers(1, self.history.version))
        self.history.restore(number)

    @rule(data=st.data())
    def sync_batch(self, data):
        """A device's queued changes, some made on an older version: one new version at
        most, the rest merged or returned as conflicts."""
        version = self.history.version
        base_versions = st.integers(max(1, version - SYNC_BASE_REACH), version)
        operations = [
            self._queued_change(data, data.draw(base_versions))
            for _ in range(data.draw(st.integers(2, 6)))
        ]
        response = self.owner.post(
            SYNC, json={"cursor": self.sync_cursor, "operations": operations}
        )
        assert response.status_code == 200, response.text
        answer = response.json()
        self.sync_cursor = answer["cursor"]
        assert [r["op_id"] for r in answer["results"]] == [op["op_id"] for op in operations]
        assert {r["status"] for r in answer["results"]} <= {"applied", "conflict", "rejected"}
        # Reading the same version again must show what it showed before (PlanHistory.read).
        plan = self.history.read()
        assert plan["version"] in (version, version + 1)
        if plan["version"] > version:
            assert plan["id"] in {p["id"] for p in answer["plans"]}

    def _queued_change(self, data, base_version: int) -> dict:
        kinds = ["add_entry", "edit_section", "rename_plan", "reorder_sections"]
        if self.entries():
            kinds += ["edit_entry", "edit_entry", "remove_entry", "reorder_entries"]
        kind = data.draw(st.sampled_from(kinds))
        op = {
            "op_id": str(uuid.uuid4()),
            "kind": kind,
            "plan_id": self.history.plan_id,
            "base_version": base_version,
        }
        if kind == "add_entry":
            section = data.draw(st.sampled_from(self.sections))
            fields = _entry_fields(data, section, editing=False)
            return op | {"section": section["key"], "entry_id": str(uuid.uuid4())} | fields
        if kind in ("edit_entry", "remove_entry"):
            section, entry = data.draw(st.sampled_from(self.entries()))
            op |= {"section": section["key"], "entry_id": entry["id"]}
            if kind == "edit_entry":
                op["changes"] = _entry_fields(data, section, editing=True)
            return op
        if kind == "reorder_entries":
            section = data.draw(st.sampled_from([s for s in self.sections if s["entries"]]))
            order = data.draw(st.permutations([e["id"] for e in section["entries"]]))
            return op | {"section": section["key"], "entry_ids": order}
        if kind == "edit_section":
            section = data.draw(st.sampled_from(self.sections))
            return op | {"section": section["key"], "changes": _section_fields(data)}
        if kind == "rename_plan":
            return op | {"title": data.draw(TITLES)}
        return op | {"keys": data.draw(st.permutations([s["key"] for s in self.sections]))}

    # ---- changes that must be refused, changing nothing ---------------------------------

    @rule(data=st.data())
    def refused_change(self, data):
        plan, history = self.history.latest, self.history
        section = data.draw(st.sampled_from(self.sections))
        entries_url = f"/sections/{section['key']}/entries"
        unknown = str(uuid.uuid4())
        template_sections = [s for s in self.sections if not s["custom"]]
        refusals = [
            (404, "PATCH", f"{entries_url}/{unknown}", {"json": {"text": "edited"}}),
            (404, "DELETE", f"{entries_url}/{unknown}", {}),
            (
                404,
                "POST",
                f"/sections/{self._missing_section_key()}/entries",
                {"json": {"text": "lost"}},
            ),
            (
                409,
                "POST",
                entries_url,
                {"json": {"text": "answers nothing", "prompt": "not_a_prompt_here"}},
            ),
            (
                409,
                "PUT",
                f"/sections/{section['key']}/entry-order",
                {"json": {"entry_ids": [e["id"] for e in section["entries"]][1:] + [unknown]}},
            ),
            (
                409,
                "PUT",
                "/section-order",
                {"json": {"keys": [s["key"] for s in self.sections][1:]}},
            ),
            (404, "POST", f"/revisions/{plan['version'] + 1}/restore", {}),
            (422, "PATCH", f"/sections/{section['key']}", {"json": {"title": None}}),
        ]
        if template_sections:
            key = data.draw(st.sampled_from(template_sections))["key"]
            refusals.append((409, "DELETE", f"/sections/{key}", {}))
        if section["kind"] != "goals":
            refusals.append((409, "POST", entries_url, {"json": {"text": "x", "goal": {}}}))
        if section["entries"]:
            entry_url = f"{entries_url}/{section['entries'][0]['id']}"
            refusals.append((422, "PATCH", entry_url, {"json": {"text": None}}))
            if plan["version"] > 1:
                stale = {"json": {"text": "stale"}, "headers": {"If-Match": '"1"'}}
                refusals.append((409, "PATCH", entry_url, stale))
        status, method, path, request = data.draw(st.sampled_from(refusals))
        response = self.owner.request(method, f"{history.url}{path}", **request)
        history.unchanged(response, status)

    @rule()
    def synced_edit_of_an_entry_that_never_was(self):
        """Refused alone; a batch with nothing else to save makes no version."""
        version = self.history.version
        op = {
            "op_id": str(uuid.uuid4()),
            "kind": "edit_entry",
            "plan_id": self.history.plan_id,
            "base_version": version,
            "section": self.sections[0]["key"],
            "entry_id": str(uuid.uuid4()),
            "changes": {"text": "never there"},
        }
        response = self.owner.post(SYNC, json={"cursor": None, "operations": [op]})
        self.history.unchanged(response, 200)
        assert response.json()["results"][0]["status"] == "rejected"

    def _missing_section_key(self) -> str:
        if self.removed_sections:
            return self.removed_sections[-1]
        return "custom_00000000"

    # ---- reading history -------------------------------------------------------------

    @rule(data=st.data())
    def read_an_earlier_revision(self, data):
        self.history.check_revision(data.draw(st.integers(1, self.history.version)))

    def teardown(self):
        if hasattr(self, "history"):
            self.history.check_every_revision()
            self.history.check_exported_and_imported()


def test_every_revision_of_random_histories_reads_back_as_the_owner_saw_it(owner):
    histories = type("OwnersEditHistory", (EditHistory,), {"owner": owner})
    run_state_machine_as_test(
        histories,
        settings=settings(
            max_examples=10,
            stateful_step_count=400,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        ),
    )


# ---- long fixed histories ----------------------------------------------------------------

ENTRIES_IN_LONG_PLAN = 60


def _long_plan(owner: Account) -> tuple[PlanHistory, list[tuple[str, str]]]:
    """A Green Book of 60 entries spread over its sections, one added per version; the
    versions recorded are the first entry's and the full plan's."""
    created = owner.post(PLANS, json={"template": "green_book", "title": "A long history"})
    assert created.status_code == 201, created.text
    history = PlanHistory(owner, created.json()["id"])
    keys = [s["key"] for s in history.latest["sections"]]
    entries = []
    for number in range(ENTRIES_IN_LONG_PLAN):
        key = keys[number % len(keys)]
        text = f"Entry {number}: {_PHRASES[number % len(_PHRASES)]}"
        added = owner.post(f"{history.url}/sections/{key}/entries", json={"text": text})
        assert added.status_code == 201, added.text
        entries.append((key, added.json()["id"]))
        if number == 0:
            history.read()
    history.read()
    assert history.version == ENTRIES_IN_LONG_PLAN + 1
    return history, entries


def _edit_long_plan(history: PlanHistory, entries: list[tuple[str, str]], step: int):
    """The `step`th edit: mostly an entry's words, now and then its prompt, an order of
    entries or sections, or the plan's name."""
    owner, url = history.owner, history.url
    key, entry_id = entries[(step * 7) % len(entries)]
    if step % 97 == 0:
        return owner.patch(url, json={"title": f"A long history, part {step}"})
    if step % 89 == 0:
        keys = [s["key"] for s in history.latest["sections"]]
        return owner.put(f"{url}/section-order", json={"keys": keys[step % 5 :] + keys[: step % 5]})
    if step % 53 == 0:
        ids = [e for k, e in entries if k == key]
        return owner.put(f"{url}/sections/{key}/entry-order", json={"entry_ids": ids[::-1]})
    if step % 11 == 0:
        prompts = {s["key"]: s["prompts"] for s in history.latest["sections"]}[key]
        prompt = prompts[step % len(prompts)]["key"] if step % 2 else None
        return owner.patch(f"{url}/sections/{key}/entries/{entry_id}", json={"prompt": prompt})
    text = f"Edit {step} ✓ “{_PHRASES[step % len(_PHRASES)]}”\nsecond line"
    return owner.patch(f"{url}/sections/{key}/entries/{entry_id}", json={"text": text})


def test_every_100th_and_the_last_20_of_1500_edits_to_a_60_entry_plan_read_back_as_seen(owner):
    edits = 1500
    history, entries = _long_plan(owner)
    last = history.version + edits
    checked = {*range(1, last + 1, 100), *range(last - 19, last + 1)}
    for step in range(1, edits + 1):
        response = _edit_long_plan(history, entries, step)
        assert response.status_code in (200, 204), response.text
        made = ENTRIES_IN_LONG_PLAN + 1 + step
        assert response.headers["etag"] == f'"{made}"'
        if made in checked:
            history.read()
    assert history.version == last
    history.check_history_list()
    for number in sorted(checked):
        history.check_revision(number)
    history.check_exported_and_imported()


def test_restoring_a_very_old_revision_brings_it_back_as_a_new_version(owner):
    history, entries = _long_plan(owner)
    added = owner.post(f"{history.url}/sections", json={"title": "Music that lifts me 🎵"})
    assert added.status_code == 201, added.text
    custom = added.json()["key"]
    with_custom = history.read()["version"]
    for step, (key, entry_id) in enumerate(entries[:40]):
        url = f"{history.url}/sections/{key}/entries/{entry_id}"
        response = owner.delete(url) if step % 2 else owner.patch(url, json={"text": f"{step}"})
        assert response.status_code in (200, 204), response.text
    hidden = owner.patch(f"{history.url}/sections/triggers", json={"hidden": True})
    assert hidden.status_code == 200, hidden.text
    removed = owner.delete(f"{history.url}/sections/{custom}")
    assert removed.status_code == 204, removed.text
    history.read()
    before = history.version

    # Version 2 held one entry; since then 60 entries came, 20 went and a section came and went.
    history.restore(2)
    assert history.version == before + 1
    restored = history.restore(with_custom)
    shown = {s["key"]: s["hidden"] for s in restored["sections"]}
    assert shown[custom] is True  # a section brought back comes back hidden
    assert shown["triggers"] is True  # hidden now, so it stays hidden

    history.check_history_list()
    for number in (2, before, before + 1, before + 2):
        history.check_revision(number)
