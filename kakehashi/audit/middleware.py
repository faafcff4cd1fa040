from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from kakehashi.audit.origins import Origin, bound, channel_for_path, valid_address


class OriginMiddleware:
    """Binds the channel (page, native API, CTFd API) and source address of each request for the audit log."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        origin = Origin(
            channel=channel_for_path(request.path_info),
            source_address=valid_address(request.META.get("REMOTE_ADDR")),
        )
        with bound(origin):
            return self.get_response(request)
