from django.test import Client


def test_healthz_answers_without_touching_the_database(client: Client) -> None:
    """pytest-django blocks database access here, so any query would fail this test."""
    response = client.get("/healthz", HTTP_HOST="10.0.0.7")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"] == "no-store"
