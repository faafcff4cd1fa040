from django.http import HttpRequest

from kakehashi.core.languages import BOTH, Display, resolve_display


def display(request: HttpRequest) -> dict[str, object]:
    current: Display = getattr(request, "display", None) or resolve_display(
        preference=None, cookie=None, accept_language=""
    )
    return {"display": current, "display_both": current.mode == BOTH}
