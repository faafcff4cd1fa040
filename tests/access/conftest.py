"""One fixture world per test module, built inside a transaction that is rolled back at the end of
the module. Each test runs inside it (pytest-django's ``db`` opens a savepoint), and the matrix rolls
back every cell on its own, so no request sees another's writes."""

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.db import transaction
from django.utils import translation

from tests.access.world import World, build


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[World]:
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield build()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            cache.clear()


@pytest.fixture(autouse=True)
def _fresh_cache_and_language() -> None:
    """As in ``kakehashi/conftest.py`` (which does not reach this directory): no standings cached by an
    earlier test, English unless a request asks otherwise."""
    cache.clear()
    translation.activate("en")
