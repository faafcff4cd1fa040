"""An event's own pages (rules, prizes, sponsors), in the reader's language or both side by side."""

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.views.decorators.http import require_GET

from kakehashi.core.errors import NotAuthenticated, NotFound
from kakehashi.ctf import access


@require_GET
def event_page(request: HttpRequest, slug: str, route: str) -> HttpResponse:
    try:
        event = access.access_event(request.user, slug)
        page = access.access_page(request.user, event, route)
    except NotAuthenticated:
        return redirect_to_login(request.get_full_path())
    except NotFound as missing:
        raise Http404 from missing
    return render(request, "ctf/play/page.html", {"event": event, "page": page, "is_html": page.format == "html"})


urlpatterns: list[URLPattern] = [
    path("events/<slug:slug>/pages/<slug:route>/", event_page, name="page"),
]
