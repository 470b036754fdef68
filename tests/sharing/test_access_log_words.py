"""The access log in plain words: a supporter looking at their own comments or suggestions
is said simply, never as "(0) to: no sections"."""

from tests.helpers.sharing import access_log, share_with


def test_looking_at_none_and_at_some_is_said_plainly(owner, marked_plan, link_worker):
    share = share_with(owner, marked_plan.id, link_worker, ["crisis"], "suggest")
    shared = f"/api/v1/shared-with-me/{share['id']}"
    link_worker.get(f"{shared}/comments")
    link_worker.get(f"{shared}/suggestions")
    [suggestions, comments] = [e["summary"] for e in access_log(owner, marked_plan.id)[:2]]
    assert suggestions.endswith("looked for changes they suggested; there were none.")
    assert comments.endswith("looked for their comments; there were none.")

    link_worker.post(
        f"{shared}/suggestions",
        json={"section": "crisis", "action": "add", "text": "Ring Jo", "prompt": "who_helps"},
    )
    link_worker.get(f"{shared}/suggestions")
    [latest] = [e["summary"] for e in access_log(owner, marked_plan.id)[:1]]
    assert "looked at the 1 change they suggested to My crisis plan" in latest
    assert "(1)" not in latest and "no sections" not in latest
