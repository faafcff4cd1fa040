import pytest

from kakehashi.ctf.brackets import country_bracket


@pytest.mark.parametrize(
    ("countries", "bracket"),
    [
        ([], "other"),
        (["GB"], "uk"),
        (["GB", "GB", "GB"], "uk"),
        (["JP", "JP"], "jp"),
        (["GB", "JP"], "mixed"),
        (["JP", "XX"], "mixed"),
        (["XX"], "other"),
        (["XX", "XX"], "other"),
    ],
)
def test_country_bracket(countries: list[str], bracket: str) -> None:
    assert country_bracket(countries) == bracket
