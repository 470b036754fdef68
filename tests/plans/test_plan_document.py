"""What changed between two versions of a plan's body, applied to the first, gives the
second exactly: every entry, every order, and the order of every key."""

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from app.plans.document import apply_changes, changes_between

KEYS = ["crisis", "triggers", "notes", "custom_a", "custom_b"]
ENTRY_IDS = [f"00000000-0000-0000-0000-00000000000{n}" for n in range(8)]

words = st.text(max_size=12)
entries = st.lists(
    st.builds(
        lambda entry_id, text, goal, with_page: {
            "id": entry_id,
            "text": text,
            "prompt": None,
            "goal": goal,
            **({"page": {"title": text}} if with_page else {}),
            "created_at": "2026-01-01T00:00:00Z",
            "updated_at": "2026-01-01T00:00:00Z",
        },
        st.sampled_from(ENTRY_IDS),
        words,
        st.none() | st.fixed_dictionaries({"progress": st.integers(0, 100)}),
        st.booleans(),
    ),
    max_size=6,
    unique_by=lambda entry: entry["id"],
)


@st.composite
def section(draw, key: str) -> dict:
    fields = {
        "key": key,
        "title": draw(words),
        "hidden": draw(st.booleans()),
        "entries": draw(entries),
    }
    if draw(st.booleans()):  # a field added after the entries, as an edit can
        fields["kept_contradictions"] = draw(st.lists(words, max_size=2))
    return fields


@st.composite
def body(draw) -> list[dict]:
    keys = draw(st.lists(st.sampled_from(KEYS), unique=True, max_size=len(KEYS)))
    return [draw(section(key)) for key in keys]


def _text(sections: list[dict]) -> str:
    return json.dumps(sections, ensure_ascii=False)


@settings(max_examples=400, deadline=None)
@given(body(), body())
def test_changes_between_two_versions_rebuild_the_second(before, after):
    kept = _text(before)
    rebuilt = apply_changes(before, changes_between(before, after))
    assert _text(rebuilt) == _text(after)
    assert _text(before) == kept  # the first is left as it was


@given(body())
def test_a_version_unchanged_has_no_changes(sections):
    assert changes_between(sections, json.loads(_text(sections))) == []
