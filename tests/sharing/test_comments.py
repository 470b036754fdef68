"""Comments: labelled with who wrote them, kept apart from the person's words, written only
after the writer confirms the person will read them."""

from tests.helpers.sharing import share_with

ACK = {"acknowledged_visible_to_person": True}


def test_a_comment_needs_the_writer_to_know_the_person_will_read_it(
    owner, marked_plan, link_worker
):
    share = share_with(owner, marked_plan.id, link_worker, ["crisis"], "comment")
    url = f"/api/v1/shared-with-me/{share['id']}/comments"
    refused = link_worker.post(url, json={"section": "crisis", "text": "Hidden note"})
    assert refused.status_code == 422
    assert "Sam will read every comment" in refused.json()["detail"]
    also = link_worker.post(
        url, json={"section": "crisis", "text": "x", "acknowledged_visible_to_person": False}
    )
    assert also.status_code == 422
    assert owner.get(f"/api/v1/plans/{marked_plan.id}/comments").json() == []


def test_comments_are_labelled_answered_and_kept_apart(owner, marked_plan, link_worker):
    share = share_with(owner, marked_plan.id, link_worker, ["crisis", "triggers"], "comment")
    url = f"/api/v1/shared-with-me/{share['id']}/comments"
    written = link_worker.post(url, json={"section": "crisis", "text": "Lovely plan"} | ACK)
    assert written.status_code == 201, written.text
    comment = written.json()
    assert comment["written_by"] == {
        "display_name": "Jo Link",
        "role": "link_worker",
        "organisation": "Riverside",
    }
    assert comment["by_plan_owner"] is False
    assert comment["section"]["key"] == "crisis"

    plan_url = f"/api/v1/plans/{marked_plan.id}"
    # Kept apart: the person's plan holds none of a supporter's words.
    assert "Lovely plan" not in owner.get(plan_url).text
    listed = owner.get(f"{plan_url}/comments").json()
    assert [c["text"] for c in listed] == ["Lovely plan"]

    reply = owner.post(f"{plan_url}/comments/{comment['id']}/replies", json={"text": "Thanks"})
    assert reply.status_code == 201
    assert reply.json()["by_plan_owner"] is True
    threads = link_worker.get(url).json()
    assert [r["text"] for r in threads[0]["replies"]] == ["Thanks"]
    assert threads[0]["replies"][0]["written_by"]["display_name"] == "Sam"

    assert owner.delete(f"{plan_url}/comments/{comment['id']}").status_code == 204
    assert owner.get(f"{plan_url}/comments").json() == []
    assert link_worker.get(url).json() == []
    assert owner.delete(f"{plan_url}/comments/{comment['id']}").status_code == 404


def test_a_grantee_sees_only_their_own_comments_on_sections_still_shared(
    owner, marked_plan, link_worker, make_account
):
    carer = make_account("Kim")
    share = share_with(owner, marked_plan.id, link_worker, ["crisis", "triggers"], "comment")
    other = share_with(owner, marked_plan.id, carer, ["crisis"], "comment")
    mine = f"/api/v1/shared-with-me/{share['id']}/comments"
    link_worker.post(mine, json={"section": "triggers", "text": "On triggers"} | ACK)
    carer.post(
        f"/api/v1/shared-with-me/{other['id']}/comments",
        json={"section": "crisis", "text": "Carer's words"} | ACK,
    )
    assert [c["text"] for c in link_worker.get(mine).json()] == ["On triggers"]
    owner.patch(
        f"/api/v1/plans/{marked_plan.id}/shares/{share['id']}", json={"sections": ["crisis"]}
    )
    assert link_worker.get(mine).json() == []
    assert len(owner.get(f"/api/v1/plans/{marked_plan.id}/comments").json()) == 2


def test_who_may_comment(owner, marked_plan, link_worker, make_account, stranger):
    viewer = make_account("Vic")
    share = share_with(owner, marked_plan.id, link_worker, ["crisis"], "comment")
    viewing = share_with(owner, marked_plan.id, viewer, ["crisis"], "view")
    body = {"section": "crisis", "text": "Hello"} | ACK
    unshared = link_worker.post(
        f"/api/v1/shared-with-me/{share['id']}/comments", json=body | {"section": "triggers"}
    )
    assert unshared.status_code == 404
    assert "doesn't include a section 'triggers'" in unshared.json()["detail"]
    nope = viewer.post(f"/api/v1/shared-with-me/{viewing['id']}/comments", json=body)
    assert nope.status_code == 403
    assert "not comment" in nope.json()["detail"]
    assert (
        stranger.post(f"/api/v1/shared-with-me/{share['id']}/comments", json=body).status_code
        == 404
    )
    owner.delete(f"/api/v1/plans/{marked_plan.id}/shares/{share['id']}")
    gone = link_worker.post(f"/api/v1/shared-with-me/{share['id']}/comments", json=body)
    assert gone.status_code == 410
    assert owner.get(f"/api/v1/plans/{marked_plan.id}/comments").json() == []
