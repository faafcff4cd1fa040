r"""Flag comparison as pure functions: static, regular-expression and per-account generated flags.

Every submission is read the same way before any comparison: surrounding whitespace is removed
(``str.strip``, so the ideographic space U+3000 an IME may leave behind goes too), the text is put
in Unicode normal form NFC, and anything longer than ``MAX_SUBMISSION_LENGTH`` characters is refused
without being matched. An empty submission never matches.

Normalisation stops at NFC on purpose: an ``e`` followed by a combining acute accent is the same text
as ``é`` and must count the same, but full-width ``ｆｌａｇ`` is a different string from ``flag``. NFKC
would fold the two together, and would also rewrite flags that authors wrote with compatibility
characters (``①``, ``ﬁ``, half-width katakana), so a flag means exactly what its author typed.

Regular expressions run on RE2, whose matching time is linear in the input, so a pattern such as
``(a+)+$`` cannot stall a worker. Patterns are checked when a flag is written (``validate_pattern``);
RE2 lacks back-references and look-around, which are reported as ``unsupported_regex``; a pattern
whose compiled program exceeds RE2's memory budget (``\pL{1000}``) is ``regex_too_complex``.

Generated flags are ``HMAC-SHA256(event secret, challenge id, account id)`` in hexadecimal, cut to a
configured length and placed into a format such as ``flag{%s}``. They carry no readable trace of the
account, so finding who a leaked flag belongs to means recomputing it for each candidate account
(``owner_of_generated_flag``).

Errors are ``FlagError`` with a machine ``code``; callers translate the code for people.
"""

import hashlib
import hmac
import re
import unicodedata
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal, Protocol

import re2

FlagKind = Literal["static", "regex", "generated"]
KINDS: tuple[FlagKind, ...] = ("static", "regex", "generated")

MAX_SUBMISSION_LENGTH = 1_000  # characters, after trimming
MAX_PATTERN_LENGTH = 1_000  # characters
MAX_FORMAT_LENGTH = 200  # characters, placeholder included
PLACEHOLDER = "%s"  # the two characters replaced by the hex part; no other escapes exist
DEFAULT_FORMAT = "flag{%s}"
MIN_GENERATED_LENGTH = 16  # hex digits: fewer makes guessing and collisions between accounts plausible
MAX_GENERATED_LENGTH = 64  # hex digits in a SHA-256 digest
DEFAULT_GENERATED_LENGTH = 32
_HMAC_CONTEXT = b"kakehashi.ctf.generated-flag.v1\x00"


class FlagError(ValueError):
    """A flag definition that cannot be used; ``code`` is stable, ``message`` is for logs."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class FlagSpec:
    """One accepted answer of a challenge.

    ``content`` is the flag text (static) or the pattern (regex) and is unused for generated flags,
    which use ``format`` and ``length`` instead.
    """

    kind: FlagKind
    content: str = ""
    case_insensitive: bool = False
    format: str = DEFAULT_FORMAT
    length: int = DEFAULT_GENERATED_LENGTH


@dataclass(frozen=True)
class MatchResult:
    """``shared_from`` names the account whose generated flag was submitted by someone else."""

    matched: bool
    shared_from: int | None = None
    too_long: bool = False


class _Pattern(Protocol):
    def fullmatch(self, text: str) -> object | None: ...


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _comparable(text: str, *, case_insensitive: bool) -> bytes:
    if case_insensitive:
        text = _nfc(text.casefold())
    return text.encode("utf-8")


def _equal(expected: str, given: str, *, case_insensitive: bool) -> bool:
    """Constant-time comparison of two NFC strings; only the length of the expected value can leak."""
    return hmac.compare_digest(
        _comparable(expected, case_insensitive=case_insensitive),
        _comparable(given, case_insensitive=case_insensitive),
    )


def _prepare(submission: str) -> str | None:
    """The trimmed NFC submission, or None when it is too long to be considered."""
    trimmed = submission.strip()
    if len(trimmed) > MAX_SUBMISSION_LENGTH:
        return None
    return _nfc(trimmed)


def static_matches(content: str, submission: str, *, case_insensitive: bool = False) -> bool:
    """Whether ``submission`` equals the static flag ``content``, both trimmed and in NFC."""
    given = _prepare(submission)
    expected = _nfc(content.strip())
    if not given or not expected:
        return False
    return _equal(expected, given, case_insensitive=case_insensitive)


def _python_accepts(pattern: str) -> bool:
    """Whether Python's own engine can compile the pattern: tells unsupported from malformed."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            re.compile(pattern)
        except (re.error, RecursionError, OverflowError, ValueError):
            return False
    return True


def _compile(pattern: str, *, case_insensitive: bool) -> _Pattern:
    """The only place the untyped ``re2`` module is used; compiled patterns are cached by ``re2``."""
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise FlagError("regex_too_long", f"pattern has {len(pattern)} characters, at most {MAX_PATTERN_LENGTH}")
    options = re2.Options()
    options.case_sensitive = not case_insensitive
    options.log_errors = False
    options.never_capture = True
    try:
        compiled: _Pattern = re2.compile(_nfc(pattern), options)
    except re2.error as error:
        reason = error.args[0] if error.args else ""
        if isinstance(reason, bytes):
            reason = reason.decode("utf-8", "replace")
        if "pattern too large" in reason:  # over RE2's memory budget for one compiled program
            raise FlagError("regex_too_complex", f"the pattern compiles to too large a program: {reason}") from None
        if _python_accepts(pattern):
            raise FlagError("unsupported_regex", f"RE2 does not support this pattern: {reason}") from None
        raise FlagError("invalid_regex", f"not a valid regular expression: {reason}") from None
    return compiled


def validate_pattern(pattern: str, *, case_insensitive: bool = False) -> None:
    """Raise ``FlagError`` (``regex_too_long``, ``regex_too_complex``, ``invalid_regex``, ``unsupported_regex``)
    for unusable patterns."""
    _compile(pattern, case_insensitive=case_insensitive)


def regex_matches(pattern: str, submission: str, *, case_insensitive: bool = False) -> bool:
    """Whether the whole trimmed NFC submission matches ``pattern`` (a full match, not a search)."""
    compiled = _compile(pattern, case_insensitive=case_insensitive)
    given = _prepare(submission)
    if not given:
        return False
    return compiled.fullmatch(given) is not None


def validate_format(fmt: str) -> None:
    """Raise ``FlagError("invalid_format")`` unless ``fmt`` holds ``%s`` exactly once and can be submitted."""
    count = fmt.count(PLACEHOLDER)
    if count != 1:
        raise FlagError("invalid_format", f"format must contain {PLACEHOLDER} exactly once, found {count}")
    if fmt != fmt.strip():
        raise FlagError("invalid_format", "format must not start or end with whitespace")
    if len(fmt) > MAX_FORMAT_LENGTH:
        raise FlagError("invalid_format", f"format has {len(fmt)} characters, at most {MAX_FORMAT_LENGTH}")


def validate_length(length: int) -> None:
    """Raise ``FlagError("invalid_length")`` unless ``length`` is a hex-digit count in the allowed range."""
    if not MIN_GENERATED_LENGTH <= length <= MAX_GENERATED_LENGTH:
        raise FlagError(
            "invalid_length",
            f"length must be {MIN_GENERATED_LENGTH} to {MAX_GENERATED_LENGTH} hex digits, got {length!r}",
        )


def _key(secret: bytes | str) -> bytes:
    key = secret.encode("utf-8") if isinstance(secret, str) else secret
    if not key:
        raise FlagError("empty_secret", "the event secret is empty")
    return key


def _render(fmt: str, digits: str) -> str:
    return _nfc(fmt).replace(PLACEHOLDER, digits)


def _digits(key: bytes, account_id: int, challenge_id: int, length: int) -> str:
    message = _HMAC_CONTEXT + f"{challenge_id}:{account_id}".encode("ascii")
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:length]


def generated_flag(
    secret: bytes | str,
    account_id: int,
    challenge_id: int,
    *,
    fmt: str = DEFAULT_FORMAT,
    length: int = DEFAULT_GENERATED_LENGTH,
) -> str:
    """The flag of ``account_id`` for ``challenge_id``: the same inputs always give the same flag."""
    validate_format(fmt)
    validate_length(length)
    return _render(fmt, _digits(_key(secret), account_id, challenge_id, length))


def owner_of_generated_flag(
    secret: bytes | str,
    challenge_id: int,
    submission: str,
    candidate_account_ids: Iterable[int],
    *,
    fmt: str = DEFAULT_FORMAT,
    length: int = DEFAULT_GENERATED_LENGTH,
    case_insensitive: bool = False,
) -> int | None:
    """The first candidate whose generated flag for ``challenge_id`` equals ``submission``, else None.

    Pass the ids of the accounts in the event (the submitter's own does no harm). Each candidate costs one
    HMAC, which is fine for thousands of accounts; a submission that cannot be a generated flag
    (wrong length for the format) is answered without computing any.
    """
    validate_format(fmt)
    validate_length(length)
    key = _key(secret)
    given = _prepare(submission)
    if not given:
        return None
    shape = _comparable(_render(fmt, "0" * length), case_insensitive=case_insensitive)
    if len(_comparable(given, case_insensitive=case_insensitive)) != len(shape):
        return None
    for candidate in candidate_account_ids:
        flag = _render(fmt, _digits(key, candidate, challenge_id, length))
        if _equal(flag, given, case_insensitive=case_insensitive):
            return candidate
    return None


def validate_spec(spec: FlagSpec) -> None:
    """Raise ``FlagError`` when ``spec`` could never be matched or cannot be evaluated."""
    if spec.kind == "static":
        content = spec.content.strip()
        if not content:
            raise FlagError("empty_flag", "the flag is empty")
        if len(content) > MAX_SUBMISSION_LENGTH:
            raise FlagError("flag_too_long", f"the flag is longer than {MAX_SUBMISSION_LENGTH} characters")
    elif spec.kind == "regex":
        validate_pattern(spec.content, case_insensitive=spec.case_insensitive)
    elif spec.kind == "generated":
        validate_format(spec.format)
        validate_length(spec.length)
    else:
        raise FlagError("unknown_kind", f"unknown flag kind {spec.kind!r}")


def check(
    flag_spec: FlagSpec,
    submission: str,
    *,
    account_id: int,
    challenge_id: int,
    secret: bytes | str,
    other_account_ids: Iterable[int] = (),
) -> MatchResult:
    """Whether ``submission`` by ``account_id`` answers ``flag_spec`` of ``challenge_id``.

    For a generated flag that is not the submitter's own, ``other_account_ids`` (the event's
    accounts; the submitter may be among them) are searched, and a hit comes back as
    ``shared_from`` with ``matched=False`` for the caller to record as suspected flag sharing. A stored pattern that no
    longer compiles raises ``FlagError`` rather than quietly refusing every answer.
    """
    if len(submission.strip()) > MAX_SUBMISSION_LENGTH:
        return MatchResult(matched=False, too_long=True)
    insensitive = flag_spec.case_insensitive
    if flag_spec.kind == "static":
        return MatchResult(matched=static_matches(flag_spec.content, submission, case_insensitive=insensitive))
    if flag_spec.kind == "regex":
        return MatchResult(matched=regex_matches(flag_spec.content, submission, case_insensitive=insensitive))
    if flag_spec.kind != "generated":
        raise FlagError("unknown_kind", f"unknown flag kind {flag_spec.kind!r}")
    own = generated_flag(secret, account_id, challenge_id, fmt=flag_spec.format, length=flag_spec.length)
    given = _prepare(submission)
    if given and _equal(own, given, case_insensitive=insensitive):
        return MatchResult(matched=True)
    owner = owner_of_generated_flag(
        secret,
        challenge_id,
        submission,
        other_account_ids,
        fmt=flag_spec.format,
        length=flag_spec.length,
        case_insensitive=insensitive,
    )
    return MatchResult(matched=False, shared_from=owner)
