"""Exercise pages and file downloads."""

from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.views.decorators.http import require_GET

from kakehashi.core.errors import ApiError
from kakehashi.ctf import access


@require_GET
def attachment(request: HttpRequest, attachment_id: int, name: str) -> HttpResponseBase:
    """A challenge file, only for those who may see the challenge. Always downloaded, never rendered."""
    try:
        found = access.access_attachment(request.user, attachment_id)
    except ApiError as error:
        status = 404 if error.status in {401, 403, 404} and error.code != "not_authenticated" else error.status
        return HttpResponse(str(error.message), status=status, content_type="text/plain; charset=utf-8")
    response = FileResponse(found.file.open("rb"), as_attachment=True, filename=found.name)
    # An uploaded HTML or SVG file opened on our origin must not run: no sniffing, and a policy
    # that loads nothing, sandboxes the document (opaque origin, no script) and forbids framing.
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; frame-ancestors 'none'; sandbox"
    response["Digest"] = f"sha-256={found.sha256}"
    return response
