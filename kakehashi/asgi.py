import os
from types import FrameType

from django.core.asgi import get_asgi_application

from kakehashi.cli import default_settings_module

os.environ.setdefault("DJANGO_SETTINGS_MODULE", default_settings_module())

application = get_asgi_application()

if os.environ.get("KAKEHASHI_SERVING") == "1":  # a worker of ``kakehashi serve``, not a test or a shell
    # Stopping ends this process's live connections first. The server installs its signal handlers
    # either before this module is imported (worker processes) or after (a single process): chain
    # onto them in the first case, and have the server's own handler drain in the second.
    import uvicorn

    from kakehashi.core import live

    live.drain_on_signals()
    _handle_exit = uvicorn.Server.handle_exit

    def _drain_then_exit(server: uvicorn.Server, sig: int, frame: FrameType | None) -> None:
        live.drain()
        _handle_exit(server, sig, frame)

    uvicorn.Server.handle_exit = _drain_then_exit  # type: ignore[method-assign,assignment]
