"""The native JSON API, mounted at ``/api/``; OpenAPI at ``/api/docs``."""

from ninja import NinjaAPI

from kakehashi.accounts.api import organisations as organisations_router
from kakehashi.accounts.api import router as accounts_router
from kakehashi.accounts.authentication import api_auth
from kakehashi.audit.api import router as audit_router
from kakehashi.core.api import StrictJSONParser, install_error_handlers
from kakehashi.ctf.api import router as ctf_router
from kakehashi.ctf.api_manage import router as manage_router

api = NinjaAPI(
    title="Kakehashi API",
    version="1",
    description=(
        "The native API of Kakehashi. Authenticate with a personal token "
        "(`Authorization: Token …`) or the browser session (writes need the CSRF token). "
        "Errors are `{code, message, details}`; `message` is in the language asked for with "
        "`Accept-Language`."
    ),
    urls_namespace="api",
    auth=api_auth(),
    parser=StrictJSONParser(),
)
install_error_handlers(api)
api.add_router("/accounts", accounts_router)
api.add_router("/organisations", organisations_router)
api.add_router("", ctf_router)
api.add_router("", manage_router)
api.add_router("/audit", audit_router)
