"""Hint texts in other languages, held between the challenge request that carries them and the
hint requests that create the hints.

ctfcli sends a challenge's payload (with ``extra.translations``) first and creates its hints one
by one afterwards, in order, with the English text only. The other languages' hint texts are kept
in the shared cache (the one the standings use) and matched to the hints by position.
"""

from collections.abc import Mapping, Sequence

from django.core.cache import cache

from kakehashi.ctf.ctfd.inputs import HintText, TranslationIn

KEEP_SECONDS = 24 * 60 * 60


def _key(challenge_id: int) -> str:
    return f"ctfd:hint-texts:{challenge_id}"


def _texts(item: str | HintText) -> dict[str, str]:
    if isinstance(item, str):
        return {"title": "", "content": item}
    return {"title": item.title, "content": item.content}


def remember(challenge_id: int, translations: Mapping[str, TranslationIn]) -> None:
    by_language = {code: [_texts(item) for item in block.hints] for code, block in translations.items() if block.hints}
    cache.set(_key(challenge_id), by_language, KEEP_SECONDS)


def hint_texts(challenge_id: int, position: int, *, skip: Sequence[str]) -> dict[str, dict[str, str]]:
    """The other languages' texts of the challenge's hint at ``position`` (0 for the first)."""
    stored: dict[str, list[dict[str, str]]] = cache.get(_key(challenge_id)) or {}
    return {
        code: items[position]
        for code, items in stored.items()
        if code not in skip and position < len(items) and items[position]["content"].strip()
    }
