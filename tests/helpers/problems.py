"""What every refusal must look like: an RFC 9457 problem with a clear, full sentence."""

PROBLEM = "application/problem+json"


def assert_problem(response, status):
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["status"] == status
    assert body["title"] and body["detail"].endswith(".")


def assert_unavailable(response) -> None:
    """A 503 that tells the caller to come back."""
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == PROBLEM
    assert int(response.headers["Retry-After"]) > 0
    body = response.json()
    assert body["status"] == 503
    assert "try again" in body["detail"].lower()
