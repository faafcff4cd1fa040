import pytest
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.test import Client, RequestFactory

from kakehashi.core.middleware import ContentSecurityPolicyMiddleware, is_html

pytestmark = pytest.mark.django_db


def directives(header: str) -> dict[str, str]:
    parts = (part.strip().split(" ", 1) for part in header.split(";") if part.strip())
    return {part[0]: part[1] if len(part) > 1 else "" for part in parts}


def test_pages_get_the_strict_page_policy(client: Client) -> None:
    response = client.get("/")
    policy = directives(response["Content-Security-Policy"])
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert policy["base-uri"] == "'self'"
    assert policy["form-action"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["connect-src"] == "'self'"
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]


@pytest.mark.parametrize("path", ["/api/events", "/api/nope", "/api/v1/challenges", "/healthz"])
def test_other_answers_may_load_nothing(client: Client, path: str) -> None:
    response = client.get(path)
    assert not response["Content-Type"].startswith("text/html")
    policy = directives(response["Content-Security-Policy"])
    assert policy["default-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    assert "script-src" not in policy


def test_error_pages_carry_the_page_policy(client: Client) -> None:
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert directives(response["Content-Security-Policy"])["script-src"] == "'self'"


def test_a_view_that_sets_its_own_policy_keeps_it() -> None:
    def view(request: HttpRequest) -> HttpResponse:
        response = HttpResponse(b"x", content_type="text/html")
        response["Content-Security-Policy"] = "sandbox"
        return response

    middleware = ContentSecurityPolicyMiddleware(view)
    response = middleware(RequestFactory().get("/"))
    assert isinstance(response, HttpResponse)
    assert response["Content-Security-Policy"] == "sandbox"


@pytest.mark.parametrize(
    ("response", "html"),
    [
        (HttpResponse(content_type="text/html; charset=utf-8"), True),
        (HttpResponse(content_type="application/xhtml+xml"), True),
        (HttpResponse(content_type="image/svg+xml"), False),
        (JsonResponse({}), False),
        (HttpResponse(content_type="text/plain"), False),
    ],
)
def test_is_html(response: HttpResponse, html: bool) -> None:
    assert is_html(response) is html
