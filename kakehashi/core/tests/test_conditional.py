"""``If-None-Match`` comparison."""

import pytest

from kakehashi.core.conditional import names_etag


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ('W/"abc"', True),
        ('"abc"', True),  # weak comparison: the W/ prefix does not matter
        ('"x", W/"abc"', True),
        ("*", True),
        ('"abcd"', False),
        ('"ab"', False),
        ("", False),
    ],
)
def test_names_etag(header: str, expected: bool) -> None:
    assert names_etag(header, 'W/"abc"') is expected
