import pytest

from kakehashi.audit.choices import Channel
from kakehashi.audit.origins import COMMAND_LINE, Origin, bound, channel_for_path, current, valid_address


@pytest.mark.parametrize(
    ("path", "channel"),
    [
        ("/api/v1/challenges", Channel.CTFD),
        ("/api/v1/", Channel.CTFD),
        ("/api/events/ctf/awards", Channel.API),
        ("/api/audit", Channel.API),
        ("/api", Channel.API),
        ("/events/ctf/manage/", Channel.WEB),
        ("/apiary/", Channel.WEB),
        ("/", Channel.WEB),
    ],
)
def test_channel_for_path(path: str, channel: str) -> None:
    assert channel_for_path(path) == channel


@pytest.mark.parametrize(
    ("raw", "address"),
    [("127.0.0.1", "127.0.0.1"), (" 2001:db8::1 ", "2001:db8::1"), ("", None), (None, None), ("not an ip", None)],
)
def test_valid_address(raw: str | None, address: str | None) -> None:
    assert valid_address(raw) == address


def test_outside_a_request_the_origin_is_the_command_line() -> None:
    assert current() == COMMAND_LINE
    assert current().channel == Channel.CLI


def test_bound_origin_is_current_until_the_block_ends() -> None:
    origin = Origin(channel=Channel.API, source_address="192.0.2.7")
    with bound(origin):
        assert current() == origin
    assert current() == COMMAND_LINE
