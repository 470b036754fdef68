"""The safety plan template: Stanley and Brown's steps in the person's own words, its list
of people kept once, in its crisis plan."""

SAFETY_STEPS = [
    "warning_signs",
    "on_my_own",
    "distractions",
    "people_to_ask",
    "professionals",
    "safer_surroundings",
    "reasons_for_living",
]


def test_a_safety_plan_has_the_steps_in_order_then_its_crisis_plan(owner):
    response = owner.post("/api/v1/plans", json={"template": "safety_plan"})
    assert response.status_code == 201, response.text
    plan = response.json()
    assert plan["title"] == "Safety plan"
    keys = [s["key"] for s in plan["sections"]]
    assert keys == [*SAFETY_STEPS, "crisis", "notes"]
    titles = [s["title"] for s in plan["sections"][:7]]
    assert titles[0] == "1. My warning signs" and titles[6] == "7. My reasons for living"
    assert all("shows" not in s for s in plan["sections"])  # the stored format is unchanged
    today = {s["today"] for s in plan["sections"] if s["today"]}
    assert today == {"well", "triggered", "early_warning_signs", "breaking_down", "crisis"}


def test_the_people_step_shows_the_crisis_plans_helpers_rather_than_a_copy(client, owner):
    template = client.get("/api/v1/templates").json()["safety_plan"]
    people = next(s for s in template["sections"] if s["key"] == "people_to_ask")
    assert people["shows"] == {"section": "crisis", "prompt": "who_helps"}
    assert people["prompts"] == []
    crisis = next(s for s in template["sections"] if s["key"] == "crisis")
    assert "who_helps" in {p["key"] for p in crisis["prompts"]}


def test_a_safety_plan_goes_out_and_comes_back_whole(owner):
    plan = owner.post("/api/v1/plans", json={"template": "safety_plan"}).json()
    added = owner.post(
        f"/api/v1/plans/{plan['id']}/sections/reasons_for_living/entries",
        json={"text": "My niece's first birthday", "prompt": "reason"},
    )
    assert added.status_code == 201, added.text
    exported = owner.get("/api/v1/export").json()
    imported = owner.post("/api/v1/import", json=exported)
    assert imported.status_code == 201, imported.text
    new_id = imported.json()["imported_plans"][0]
    again = owner.get(f"/api/v1/plans/{new_id}").json()
    assert again["template"] == "safety_plan"
    reasons = next(s for s in again["sections"] if s["key"] == "reasons_for_living")
    assert [e["text"] for e in reasons["entries"]] == ["My niece's first birthday"]
