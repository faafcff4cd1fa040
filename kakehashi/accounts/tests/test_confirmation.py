from datetime import UTC, datetime, timedelta

import pytest

from kakehashi.accounts import confirmation

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def test_tokens_are_long_and_different() -> None:
    first, second = confirmation.new_token(), confirmation.new_token()
    assert first != second
    assert len(first) >= 43


def test_expiry_is_the_given_hours_later() -> None:
    assert confirmation.expires_at(NOW, hours=48) == NOW + timedelta(days=2)


def test_addresses_differing_in_case_are_one() -> None:
    assert confirmation.address_key(" Hanako@Example.ORG ") == confirmation.address_key("hanako@example.org")


@pytest.mark.parametrize(
    ("minutes_ago", "limit", "allowed"),
    [
        ([], 3, True),
        ([1, 2], 3, True),
        ([1, 2, 3], 3, False),
        ([1, 2, 60], 3, True),  # the oldest left the hour exactly now
        ([1, 2, 59], 3, False),
        ([1, 2, 3, 4], 0, True),  # no cap
        ([1], 1, False),
    ],
)
def test_mail_cap(minutes_ago: list[int], limit: int, allowed: bool) -> None:
    sent = [NOW - timedelta(minutes=minutes) for minutes in minutes_ago]
    assert confirmation.may_mail(sent, limit=limit, now=NOW) is allowed
