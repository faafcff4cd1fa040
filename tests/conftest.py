"""Fixtures for the suites under ``tests/`` (the app tests have theirs in ``kakehashi/conftest.py``)."""

import pytest
from django.core.cache import cache

from kakehashi.ctf import prepared
from kakehashi.ctf.services import standings


@pytest.fixture(autouse=True)
def _fresh_shared_state() -> None:
    """Each test starts with an empty cache and no process memory of any event: rolled-back tests
    reuse primary keys, and a snapshot or prepared answer kept from an earlier test would be served."""
    cache.clear()
    standings.forget()
    prepared.forget()
