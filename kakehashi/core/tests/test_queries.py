import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kakehashi.accounts.models import User
from kakehashi.accounts.tests.factories import UserFactory
from kakehashi.core.queries import only_row

pytestmark = pytest.mark.django_db


def test_only_row_reads_one_row_without_ordering() -> None:
    user = UserFactory.create()
    with CaptureQueriesContext(connection) as captured:
        found = only_row(User.objects.filter(pk=user.pk))
        name = only_row(User.objects.filter(pk=user.pk).values_list("username", flat=True))
    assert found == user
    assert name == user.username
    assert all("ORDER BY" not in query["sql"].upper() for query in captured.captured_queries)
    assert all("LIMIT 1" in query["sql"].upper() for query in captured.captured_queries)


def test_only_row_of_nothing_is_none() -> None:
    assert only_row(User.objects.filter(pk=-1)) is None
