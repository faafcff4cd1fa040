"""The Japanese catalog is complete, compiled, and covers every interface string in the source."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

PACKAGE = Path(__file__).resolve().parents[2]
PO = PACKAGE / "locale" / "ja" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


def test_every_message_is_translated_and_none_is_fuzzy() -> None:
    catalog = polib.pofile(str(PO))
    assert catalog.untranslated_entries() == []
    assert catalog.fuzzy_entries() == []
    assert catalog.percent_translated() == 100


def test_placeholders_survive_translation() -> None:
    import re

    placeholder = re.compile(r"%\(\w+\)[sd]|\{\w*\}")
    for entry in polib.pofile(str(PO)):
        translated = entry.msgstr_plural.get(0, "") if entry.msgid_plural else entry.msgstr
        expected = set(placeholder.findall(entry.msgid)) | set(placeholder.findall(entry.msgid_plural or ""))
        assert set(placeholder.findall(translated)) == expected, entry.msgid


def test_japanese_uses_japanese_punctuation() -> None:
    for entry in polib.pofile(str(PO)):
        translated = entry.msgstr_plural.get(0, "") if entry.msgid_plural else entry.msgstr
        if entry.msgid.endswith(".") and not entry.msgid.endswith("..."):
            assert not translated.endswith("."), translated
        assert "?" not in translated, translated


def test_compiled_catalog_matches_the_source() -> None:
    def key(entry: polib.POEntry | polib.MOEntry) -> tuple[str | None, str]:
        return entry.msgctxt, entry.msgid

    def value(entry: polib.POEntry | polib.MOEntry) -> str:
        return str(entry.msgstr_plural.get(0, "") if entry.msgid_plural else entry.msgstr)

    compiled = {key(entry): value(entry) for entry in polib.mofile(str(MO))}
    source = {key(entry): value(entry) for entry in polib.pofile(str(PO)) if not entry.obsolete}
    assert compiled == source


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext is installed by .ci/run")
def test_catalog_covers_every_interface_string(tmp_path: Path) -> None:
    """Extract the strings afresh into a copy of the package and compare with the committed catalog."""
    copy = tmp_path / "kakehashi"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "tests", "*.mo"))
    result = subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "--locale", "ja", "--no-obsolete", "--ignore", "tests/*"],
        cwd=copy,
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")},  # no settings: only the copy is written
    )
    assert result.returncode == 0, result.stderr
    fresh = {entry.msgid for entry in polib.pofile(str(copy / "locale" / "ja" / "LC_MESSAGES" / "django.po"))}
    committed = {entry.msgid for entry in polib.pofile(str(PO))}
    assert sorted(fresh - committed) == [], "run `make messages` and translate the new strings"
