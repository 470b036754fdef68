def test_health(client):
    assert client.get("/healthz").json() == {"status": "ok"}


def test_owner_reads_new_plan(owner, green_book):
    response = owner.get(f"/api/v1/plans/{green_book['id']}")
    assert response.status_code == 200
    assert response.headers["etag"] == '"1"'
    keys = [s["key"] for s in response.json()["sections"]]
    assert {"triggers", "early_warning_signs", "crisis", "goals"} <= set(keys)
