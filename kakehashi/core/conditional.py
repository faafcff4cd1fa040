"""Answers prepared once and served many times, with validators so that pollers get ``304``.

A hot read (the scoreboard, the challenge list) is built once per change and kept as bytes; every
request then costs a lookup. Its ``ETag`` names the prepared version, so a client that sends it back
in ``If-None-Match`` gets ``304 Not Modified`` and no body.
"""

from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_vary_headers


def names_etag(header: str, etag: str) -> bool:
    """Whether an ``If-None-Match`` value names ``etag`` (weak comparison, as RFC 9110 asks for GET),
    or is ``*``."""
    wanted = etag.removeprefix("W/")
    return any(
        candidate == "*" or candidate.removeprefix("W/") == wanted
        for candidate in (part.strip() for part in header.split(","))
    )


def etag_matches(request: HttpRequest, etag: str) -> bool:
    """Whether the request's ``If-None-Match`` names ``etag``."""
    header = request.headers.get("If-None-Match", "")
    return bool(header) and names_etag(header, etag)


def prepared_response(
    request: HttpRequest,
    *,
    etag: str,
    body: bytes,
    content_type: str = "application/json; charset=utf-8",
    private: bool = False,
    vary: tuple[str, ...] = (),
) -> HttpResponse:
    """``body`` with its ``ETag``, or ``304`` when the client already holds that version.

    Caches must revalidate every time (``no-cache``): a new solve has to show at once. Answers that
    depend on who asks are ``private``.
    """
    response: HttpResponse
    if etag_matches(request, etag):
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(body, content_type=content_type)
    response["ETag"] = etag
    response["Cache-Control"] = "private, no-cache" if private else "public, no-cache"
    if vary:
        patch_vary_headers(response, vary)
    return response
