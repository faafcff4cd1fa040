import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/api/nope", "/api/accounts/nope/deeper", "/api/v2/x"])
def test_unknown_api_routes_answer_in_the_json_shape(client: Client, path: str) -> None:
    response = client.get(path, headers={"Accept-Language": "ja"})
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "見つかりません。", "details": []}


def test_unknown_pages_are_translated(client: Client) -> None:
    response = client.get("/no/such/page/", headers={"Accept-Language": "ja"})
    assert response.status_code == 404
    assert "ページが見つかりません" in response.content.decode()


def test_csrf_failure_page_is_translated() -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/register/", {}, headers={"Accept-Language": "ja"})
    assert response.status_code == 403
    assert "セキュリティトークン" in response.content.decode()
