"""The person decides on each imported part: accept, edit then accept, move it to another
field, keep it with their own note, or reject it. Only accepted parts enter the plan,
labelled as imported words, in one new version of the plan."""

from tests.helpers.statements import crisis_entries, decide, imported


def _parts_by_text(result: dict) -> dict[str, dict]:
    return {part["text"]: part for part in result["parts"]}


def test_accept_edit_move_note_and_reject(owner, green_book):
    plan_id = green_book["id"]
    result = imported(owner, plan_id, "composition.json")
    parts = _parts_by_text(result)
    triggers = parts["Being touched without warning."]
    contact = parts["My sister Priya Shah on 07700 900123."]
    treated = parts["At home with the home treatment team."]
    helps = parts["Speak slowly and tell me what is happening."]
    headphones = parts["Let me keep my headphones."]

    response = decide(
        owner,
        plan_id,
        result["id"],
        [
            {"part_id": triggers["id"], "action": "accept"},
            {
                "part_id": contact["id"],
                "action": "accept",
                "text": "Priya (my sister): 07700 900123",
            },
            {"part_id": treated["id"], "action": "accept", "field": "what_helps"},
            {
                "part_id": helps["id"],
                "action": "accept",
                "note": "I disagree because talking slowly can feel patronising; just be clear.",
            },
            {"part_id": headphones["id"], "action": "reject", "note": "Not important to me."},
        ],
    )
    assert response.status_code == 200, response.text
    decided = response.json()
    assert decided["plan_version"] == 2
    assert response.headers["etag"] == '"2"'
    assert decided["status"] == "proposed"  # one part still waits
    assert decided["counts"] == {"proposed": 1, "accepted": 4, "rejected": 1}
    statuses = {part["text"]: part["status"] for part in decided["parts"]}
    assert statuses["Let me keep my headphones."] == "rejected"
    assert statuses["When I am sleeping through the night and cooking again."] == "proposed"

    entries = crisis_entries(owner, plan_id)
    assert [(e["prompt"], e["text"]) for e in entries] == [
        ("what_does_not_help", "Being touched without warning."),
        ("who_helps", "Priya (my sister): 07700 900123"),
        ("what_helps", "At home with the home treatment team."),
        ("what_helps", "Speak slowly and tell me what is happening."),
    ]
    sources = [e["source"] for e in entries]
    assert {s["kind"] for s in sources} == {"import"}
    assert {s["author"] for s in sources} == {"Jo Banks, care coordinator"}
    assert {s["organisation"] for s in sources} == {"Riverside Mental Health Trust"}
    assert {s["import_id"] for s in sources} == {result["id"]}
    assert [s["edited"] for s in sources] == [False, True, False, False]
    assert sources[3]["note"].startswith("I disagree because")
    assert sources[0]["heading"] == "Triggers"
    assert sources[1]["part_id"] == contact["id"]
    # Each accepted part points at the entry it became.
    by_id = {part["id"]: part for part in decided["parts"]}
    assert by_id[contact["id"]]["decision"]["entry_id"] == entries[1]["id"]
    assert by_id[contact["id"]]["decision"]["text"] == "Priya (my sister): 07700 900123"
    assert by_id[headphones["id"]]["decision"]["note"] == "Not important to me."

    # One new version, credited to the person who accepted.
    history = owner.get(f"/api/v1/plans/{plan_id}/revisions").json()
    assert len(history) == 2
    assert history[0]["summary"] == (
        "Accepted 4 imported parts from Jo Banks, care coordinator into the crisis plan"
    )
    assert history[0]["author"]["display_name"] == owner.display_name


def test_the_person_sees_each_part_beside_their_own_words(owner, green_book):
    plan_id = green_book["id"]
    mine = owner.post(
        f"/api/v1/plans/{plan_id}/sections/crisis/entries",
        json={"text": "Ring my sister first", "prompt": "who_helps"},
    ).json()
    result = imported(owner, plan_id, "composition.json")
    contact = _parts_by_text(result)["My sister Priya Shah on 07700 900123."]
    assert contact["current"] == [{"id": mine["id"], "text": "Ring my sister first"}]
    assert contact["field_label"] == "Who I want to help, and what I want each of them to do"
    # The person's own words stay apart: no source on their entry.
    decide(owner, plan_id, result["id"], [{"part_id": contact["id"], "action": "accept"}])
    own, accepted = crisis_entries(owner, plan_id)
    assert own.get("source") is None
    assert accepted["source"]["kind"] == "import"


def test_deciding_every_part_marks_the_import_reviewed(owner, green_book):
    plan_id = green_book["id"]
    result = imported(owner, plan_id, "careplan.json")
    response = decide(
        owner,
        plan_id,
        result["id"],
        [{"part_id": part["id"], "action": "reject"} for part in result["parts"]],
    )
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "reviewed"
    assert response.json()["reviewed_at"] is not None
    # Rejecting everything leaves the plan as it was.
    assert response.json()["plan_version"] == 1
    assert crisis_entries(owner, plan_id) == []
    assert "All 6 parts decided: 0 accepted, 6 not accepted." in response.json()["summary"]


def test_a_part_is_decided_once(owner, green_book):
    plan_id = green_book["id"]
    result = imported(owner, plan_id, "composition.json")
    part = result["parts"][0]
    assert decide(
        owner, plan_id, result["id"], [{"part_id": part["id"], "action": "accept"}]
    ).is_success

    again = decide(owner, plan_id, result["id"], [{"part_id": part["id"], "action": "reject"}])
    assert again.status_code == 409
    assert again.headers["content-type"] == "application/problem+json"
    assert "already accepted" in again.json()["detail"]
    assert len(crisis_entries(owner, plan_id)) == 1


def test_bad_decisions_change_nothing(owner, green_book):
    plan_id = green_book["id"]
    result = imported(owner, plan_id, "composition.json")
    first, second = result["parts"][0]["id"], result["parts"][1]["id"]
    cases = [
        (
            [{"part_id": first, "action": "accept"}, {"part_id": first, "action": "reject"}],
            422,
            "twice",
        ),
        ([{"part_id": "00000000-0000-4000-8000-000000000000", "action": "accept"}], 409, "no part"),
        ([{"part_id": first, "action": "reject", "text": "Other words"}], 422, "Only an accepted"),
        ([{"part_id": first, "action": "maybe"}], 422, "action"),
        ([{"part_id": first, "action": "accept", "field": "favourite_colour"}], 422, "field"),
        ([{"part_id": first, "action": "accept", "text": ""}], 422, "text"),
        ([{"part_id": first, "action": "accept", "colour": "blue"}], 422, "colour"),
        ([], 422, "decisions"),
    ]
    for decisions, status, words in cases:
        response = decide(owner, plan_id, result["id"], decisions)
        assert response.status_code == status, (decisions, response.text)
        assert words in response.text
    # Valid decision after an invalid one in the same request: nothing applied.
    mixed = decide(
        owner,
        plan_id,
        result["id"],
        [
            {"part_id": second, "action": "accept"},
            {"part_id": first, "action": "reject", "field": "other"},
        ],
    )
    assert mixed.status_code == 422
    assert crisis_entries(owner, plan_id) == []
    read = owner.get(f"/api/v1/plans/{plan_id}/imports/{result['id']}").json()
    assert {part["status"] for part in read["parts"]} == {"proposed"}
    unknown = decide(
        owner,
        plan_id,
        "00000000-0000-4000-8000-000000000000",
        [{"part_id": first, "action": "accept"}],
    )
    assert unknown.status_code == 404
    assert unknown.json()["detail"] == "This plan has no import with this id."


def test_imported_words_survive_the_full_export_and_import(owner, green_book):
    plan_id = green_book["id"]
    result = imported(owner, plan_id, "composition.json")
    part = result["parts"][0]
    decide(
        owner, plan_id, result["id"], [{"part_id": part["id"], "action": "accept", "note": "Yes."}]
    )

    export = owner.get("/api/v1/export")
    assert export.status_code == 200
    back = owner.post("/api/v1/import", json=export.json())
    assert back.status_code == 201, back.text
    copy_id = back.json()["imported_plans"][0]
    (entry,) = crisis_entries(owner, copy_id)
    assert entry["text"] == part["text"]
    assert entry["source"]["note"] == "Yes."
    assert entry["source"]["import_id"] == result["id"]


def test_entry_source_is_in_the_published_schema(client):
    schema = client.get("/openapi.json").json()["components"]["schemas"]
    assert "source" in schema["Entry"]["properties"]
    assert set(schema["EntrySource"]["required"]) >= {"kind", "import_id", "author", "edited"}
