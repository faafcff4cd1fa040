"""Error answers of the whole site: JSON under ``/api/``, translated pages elsewhere."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from kakehashi.core import unavailable


def _json(code: str, message: str, status: int) -> JsonResponse:
    return JsonResponse({"code": code, "message": message, "details": []}, status=status)


def api_not_found(request: HttpRequest, path: str = "") -> JsonResponse:
    return _json("not_found", _("Not found."), 404)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith("/api/"):
        return api_not_found(request)
    return render(request, "core/error.html", {"title": _("Page not found"), "status": 404}, status=404)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith("/api/"):
        return _json("permission_denied", _("You do not have permission to do that."), 403)
    return render(request, "core/error.html", {"title": _("Access denied"), "status": 403}, status=403)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith("/api/"):
        return _json("bad_request", _("The request could not be processed."), 400)
    return render(request, "core/error.html", {"title": _("Bad request"), "status": 400}, status=400)


def server_error(request: HttpRequest) -> HttpResponse:
    if unavailable.current_database_error():  # raised in a middleware, e.g. loading the session
        return unavailable.response(request)
    if request.path.startswith("/api/"):
        return _json("server_error", _("Something went wrong on our side. Please try again."), 500)
    return render(request, "core/error.html", {"title": _("Something went wrong"), "status": 500}, status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    message = _("The security token of this form is missing or out of date. Reload the page and try again.")
    if request.path.startswith("/api/"):
        return _json("csrf_failed", message, 403)
    return render(
        request, "core/error.html", {"title": _("Access denied"), "status": 403, "message": message}, status=403
    )
