import pytest

from kakehashi.accounts import tokens


def test_generated_tokens_are_unique_and_prefixed() -> None:
    made = {tokens.generate() for _ in range(200)}
    assert len(made) == 200
    assert all(token.startswith("kkh_") and len(token) > 40 for token in made)


def test_digest_is_stable_and_hides_the_token() -> None:
    raw = tokens.generate()
    assert tokens.digest(raw) == tokens.digest(raw)
    assert raw not in tokens.digest(raw)
    assert len(tokens.digest(raw)) == 64


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("Token kkh_abc", "kkh_abc"),
        ("token  kkh_abc ", "kkh_abc"),
        ("Bearer kkh_abc", "kkh_abc"),
        ("Token ctfd_0123", "ctfd_0123"),
        ("Basic dXNlcjpwYXNz", None),
        ("Token", None),
        ("", None),
        (None, None),
    ],
)
def test_from_authorization(header: str | None, expected: str | None) -> None:
    assert tokens.from_authorization(header) == expected
