import logging

import pytest
from django.conf import settings

from kakehashi.core.redaction import MASK, RedactSecrets, redact


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("Bad Request: /accounts/reset/Mg/cdef12-0123456789abcdef0123456789abcdef/", "cdef12-0123456789abcdef"),
        ("Bad Request: /accounts/register/confirm/Zq9-0123456789abcdefABCDEF_xyz/", "0123456789abcdefABCDEF"),
        ('"GET /api/accounts/me?token=kkh_abcdefghijklmnop HTTP/1.1" 401', "abcdefghijklmnop"),
        ("POST /login?username=a&password=hunter2-secret&next=/", "hunter2-secret"),
        ("/x?flag=bridge{secret_flag}", "bridge{secret_flag}"),
        ("/x?invite_code=INVITE-42", "INVITE-42"),
        ("Authorization: Bearer abcdefghijklmnopqrstuvwxyz012345", "abcdefghijklmnopqrstuvwxyz012345"),
        ("token kkh_QWERTYUIOPasdfghjkl_zx", "QWERTYUIOPasdfghjkl"),
        ("Cookie: kakehashi_session=s3ss10n1d; kakehashi_csrftoken=c5rfvalue", "s3ss10n1d"),
        ("Cookie: kakehashi_session=s3ss10n1d; kakehashi_csrftoken=c5rfvalue", "c5rfvalue"),
    ],
)
def test_secrets_are_masked(text: str, secret: str) -> None:
    masked = redact(text)
    assert secret not in masked
    assert MASK in masked


@pytest.mark.parametrize(
    "text",
    ["GET /events/bridge-ctf/challenges/12/ 200", "standings refresh failed for event 3", "/accounts/reset/"],
)
def test_ordinary_text_is_kept(text: str) -> None:
    assert redact(text) == text


def test_literal_secrets_are_masked() -> None:
    assert redact("key is abcdefghijklmnopqrstuvwxyz", extra_secrets=("abcdefghijklmnopqrstuvwxyz", "")) == (
        f"key is {MASK}"
    )


def test_filter_keeps_the_shape_of_the_record() -> None:
    """uvicorn's access formatter reads its five arguments by position."""
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:1", "GET", "/accounts/reset/Mg/abc-def0123/", "1.1", 200),
        None,
    )
    assert RedactSecrets().filter(record) is True
    assert isinstance(record.args, tuple)
    assert len(record.args) == 5
    assert record.getMessage() == f'127.0.0.1:1 - "GET /accounts/reset/Mg/{MASK}/ HTTP/1.1" 200'


def test_filter_masks_the_secret_key() -> None:
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "key=%s", (settings.SECRET_KEY,), None)
    RedactSecrets().filter(record)
    assert settings.SECRET_KEY not in record.getMessage()


def test_a_secret_split_between_template_and_argument_is_masked() -> None:
    record = logging.LogRecord(
        "x", logging.INFO, __file__, 1, "retry with password=%s for %s", ("hunter2!", "ann"), None
    )
    RedactSecrets().filter(record)
    assert record.getMessage() == f"retry with password={MASK} for ann"
