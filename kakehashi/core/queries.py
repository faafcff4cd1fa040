"""Small helpers for queries on the hot paths."""

from typing import Any, TypeVar

from django.db.models import QuerySet

T = TypeVar("T")


def only_row(query: "QuerySet[Any, T]") -> T | None:
    """The row of a query on a unique key (or ``None``), without ordering.

    ``first()`` orders by the model's ordering or the primary key, which the database does not need
    for a unique key and which costs Django's query compiler a noticeable share of a short request.
    """
    rows = list(query.order_by()[:1])
    return rows[0] if rows else None
