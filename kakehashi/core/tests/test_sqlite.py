"""Writers of one process take turns through the process's lock, and always let go of it."""

import threading
import time

import pytest
from django.db import connection, connections, transaction
from django.db.utils import IntegrityError, OperationalError

from kakehashi.accounts.models import User
from kakehashi.core.sqlite.base import writer_lock

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite backend"),
]


def lock() -> threading.Lock:
    return writer_lock(str(connection.settings_dict["NAME"]))


def test_a_transaction_holds_the_lock_until_it_commits_or_rolls_back() -> None:
    assert not lock().locked()
    with transaction.atomic():
        User.objects.create(username="held")
        assert lock().locked()
        with transaction.atomic():  # a savepoint does not take it twice
            User.objects.create(username="nested")
    assert not lock().locked()

    def undone() -> None:
        with transaction.atomic():
            User.objects.create(username="undone")
            raise RuntimeError

    with pytest.raises(RuntimeError):
        undone()
    assert not lock().locked()
    assert set(User.objects.values_list("username", flat=True)) == {"held", "nested"}


def test_an_error_inside_the_transaction_lets_go_too() -> None:
    def twins() -> None:
        with transaction.atomic():
            User.objects.create(username="twin")
            User.objects.create(username="twin")

    with pytest.raises(IntegrityError):
        twins()
    assert not lock().locked()
    User.objects.create(username="after")


def test_reads_in_autocommit_do_not_take_the_lock() -> None:
    with lock():
        assert User.objects.count() == 0


def test_concurrent_writers_of_one_process_take_turns_and_nothing_is_lost() -> None:
    errors: list[BaseException] = []
    inside = [0]
    most_inside = [0]

    def writer(number: int) -> None:
        try:
            for round_ in range(10):
                with transaction.atomic():
                    inside[0] += 1
                    most_inside[0] = max(most_inside[0], inside[0])
                    User.objects.create(username=f"writer-{number}-{round_}")
                    time.sleep(0.001)
                    inside[0] -= 1
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(number,)) for number in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert most_inside[0] == 1  # one writing transaction at a time in this process
    assert User.objects.filter(username__startswith="writer-").count() == 60
    assert not lock().locked()


def test_a_writer_that_waits_too_long_is_told_the_database_is_locked() -> None:
    timeout = connection.settings_dict["OPTIONS"].get("timeout")
    connection.settings_dict["OPTIONS"]["timeout"] = 0.05
    try:
        with lock(), pytest.raises(OperationalError, match="locked"), transaction.atomic():
            User.objects.create(username="never")
    finally:
        connection.settings_dict["OPTIONS"]["timeout"] = timeout
    assert not User.objects.filter(username="never").exists()
