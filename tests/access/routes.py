"""Every (path, method) pair the URL configuration answers, with a stable key such as
``GET /api/events/<slug>/scoreboard`` or ``POST /events/<slug:slug>/challenges/<int:challenge_id>/flag/``.

Django patterns are walked recursively from the root resolver. A django-ninja API contributes one
route per operation and HTTP method of each path (read from the path view behind the pattern). A
plain view's methods come from ``require_http_methods`` (``require_GET``, ``require_POST``) wherever
it sits among the view's decorators, or from a class-based view's handlers; a view that accepts any
method has the method ``*``.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver
from ninja.operation import PathView

HANDLERS = ("get", "post", "put", "patch", "delete")


@dataclass(frozen=True)
class Route:
    method: str
    pattern: str  # the full Django pattern, without the leading slash
    name: str | None
    callback: Callable[..., Any]

    @property
    def key(self) -> str:
        return f"{self.method} /{self.pattern}"


def _path_view(callback: Callable[..., Any]) -> PathView | None:
    """The django-ninja path view a URL pattern calls, if any (it is the view wrapper's closure)."""
    for cell in getattr(callback, "__closure__", None) or ():
        try:
            content = cell.cell_contents
        except ValueError:  # an empty cell
            continue
        if isinstance(content, PathView):
            return content
    return None


def _declared_methods(callback: Callable[..., Any]) -> tuple[str, ...] | None:
    """Methods allowed by ``require_http_methods`` anywhere in the chain of decorators."""
    seen: set[int] = set()
    function: Any = callback
    while function is not None and id(function) not in seen:
        seen.add(id(function))
        code = getattr(function, "__code__", None)
        if code is not None and "request_method_list" in code.co_freevars:
            cell = function.__closure__[code.co_freevars.index("request_method_list")]
            return tuple(sorted(str(method).upper() for method in cell.cell_contents))
        function = getattr(function, "__wrapped__", None)
    return None


def methods_of(callback: Callable[..., Any]) -> tuple[str, ...]:
    path_view = _path_view(callback)
    if path_view is not None:
        return tuple(sorted({method.upper() for op in path_view.operations for method in op.methods}))
    declared = _declared_methods(callback)
    if declared is not None:
        return declared
    view_class = getattr(callback, "view_class", None)
    if view_class is not None:
        allowed = {name for name in view_class.http_method_names if name in HANDLERS}
        return tuple(sorted(name.upper() for name in allowed if hasattr(view_class, name)))
    return ("*",)


def _walk(patterns: list[Any], prefix: str) -> Iterator[tuple[str, URLPattern]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry


def all_routes() -> list[Route]:
    """Every route once, in URL-configuration order. Django dispatches a path to the first pattern
    that matches it, so a later duplicate (ninja names one pattern per operation) adds nothing."""
    found: dict[str, Route] = {}
    for pattern, entry in _walk(get_resolver().url_patterns, ""):
        for method in methods_of(entry.callback):
            route = Route(method=method, pattern=pattern, name=entry.name, callback=entry.callback)
            found.setdefault(route.key, route)
    return list(found.values())
