"""The rule for names people choose: user names, display names, team names, organisation names.

A name is kept as it was typed (in Unicode normal form NFC, surrounding white space removed, the
ideographic space U+3000 included), after these checks:

* it is not empty and not longer than the field allows;
* it holds no control characters (C0, C1, DEL), no format characters (zero-width spaces and joiners,
  bidirectional overrides and isolates, the byte-order mark, soft hyphens), no line or paragraph
  separators, no private-use, unassigned or surrogate code points. These are invisible, or reorder
  what is shown around them, so two names that look the same could differ. The one exception is the
  zero-width joiner between two pictographs, which builds a single emoji;
* it does not start with a combining mark, and no letter carries more than ``MAX_MARKS_IN_A_ROW``
  combining marks (which would draw over neighbouring text);
* no single word mixes Latin letters with Cyrillic or Greek ones (``pаypal`` with a Cyrillic
  ``а``): those scripts share look-alike letters. Mixing scripts across words, and Latin with
  Japanese anywhere (``Team 東京``, ``CTFチーム``), is normal and allowed.

Two names are the same name when their ``key`` is equal: NFKC, case-folded, NFKC again, white space
collapsed. So ``ａｄｍｉｎ`` and ``Admin`` are one name, as are ``Ｔｅａｍ　１`` and ``team 1``,
and half-width ``ｶｹﾊｼ`` and ``カケハシ``. Uniqueness is decided on the key; what is shown is the
name as typed.

Pure functions: ``clean`` raises ``NameProblem`` with a stable ``code``; ``message`` gives the
sentence for people in the active language.
"""

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_MARKS_IN_A_ROW = 3
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
_ZERO_WIDTH_JOINER = "\u200d"
_LOOK_ALIKE_SCRIPTS = ("LATIN", "CYRILLIC", "GREEK")


class NameProblem(ValueError):
    """A name that cannot be used; ``code`` is stable, the text is for logs."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code


def _invisible(text: str, index: int) -> bool:
    character = text[index]
    if unicodedata.category(character) not in _REFUSED_CATEGORIES:
        return False
    if character == _ZERO_WIDTH_JOINER and 0 < index < len(text) - 1:
        before, after = unicodedata.category(text[index - 1]), unicodedata.category(text[index + 1])
        return not (before in ("So", "Sk", "Mn") and after == "So")  # 👩‍💻; 👩🏽‍💻 has a skin tone (Sk) before
    return True


def _script(character: str) -> str | None:
    name = unicodedata.name(character, "")
    return next((script for script in _LOOK_ALIKE_SCRIPTS if name.startswith(script + " ")), None)


def _mixes_look_alike_scripts(text: str) -> bool:
    word: set[str] = set()
    for character in text + " ":
        if unicodedata.category(character).startswith(("L", "M")):
            script = _script(character)
            if script is not None:
                word.add(script)
            continue
        if len(word) > 1:
            return True
        word = set()
    return False


def clean(value: str, *, limit: int | None = None, required: bool = True) -> str:
    """The name to store: NFC, trimmed; raises ``NameProblem`` for a name that breaks the rule.

    Services whose model already reports a blank or too long value (with Django's codes ``blank`` and
    ``max_length``) pass ``required=False`` and no ``limit``, and leave those two checks to the model."""
    name = unicodedata.normalize("NFC", value).strip()
    if not name:
        if required:
            raise NameProblem("required", "the name is empty or only white space")
        return ""
    for index, character in enumerate(name):
        if _invisible(name, index):
            raise NameProblem(
                "invisible_character", f"U+{ord(character):04X} at {index} is a control or format character"
            )
    marks = 0
    for index, character in enumerate(name):
        if unicodedata.combining(character) or unicodedata.category(character) in ("Mn", "Me"):
            if index == 0:
                raise NameProblem("combining_start", "the name starts with a combining mark")
            marks += 1
            if marks > MAX_MARKS_IN_A_ROW:
                raise NameProblem("too_many_marks", f"more than {MAX_MARKS_IN_A_ROW} combining marks on one letter")
        else:
            marks = 0
    if _mixes_look_alike_scripts(name):
        raise NameProblem("mixed_scripts", "a word mixes Latin with Cyrillic or Greek letters")
    if limit is not None and len(name) > limit:
        raise NameProblem("too_long", f"the name has {len(name)} characters, at most {limit}")
    return name


def key(value: str) -> str:
    """What makes two names the same name: NFKC, case-folded, NFKC again, white space collapsed."""
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", value).casefold())
    return " ".join(folded.split())


def message(code: str, *, limit: int | None = None) -> str:
    """The sentence for people, in the active language, for a ``NameProblem`` code."""
    if code == "required":
        return _("Enter a name.")
    if code == "invisible_character":
        return _("Names cannot contain control characters, invisible characters or text-direction marks.")
    if code in ("combining_start", "too_many_marks"):
        return _("This name has too many accent marks, or one without a letter.")
    if code == "mixed_scripts":
        return _("A word of this name mixes Latin letters with Cyrillic or Greek ones, which look alike.")
    return _("This name is too long: at most %(limit)d characters.") % {"limit": limit or 0}


def name_error(field: str, problem: NameProblem, *, limit: int | None = None) -> ValidationError:
    """The validation error a service raises for ``problem`` in ``field``."""
    return ValidationError({field: [ValidationError(message(problem.code, limit=limit), code=problem.code)]})
