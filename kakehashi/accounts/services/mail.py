"""Mail to one person in the language they read: English, Japanese, or both one after the other."""

from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.functional import Promise

from kakehashi.core.languages import BOTH, INTERFACE_LANGUAGES

SEPARATOR = "\n" + "-" * 40 + "\n\n"


def mail_languages(preference: str) -> tuple[str, ...]:
    """The languages of a mail, in order: the preference's, or the current one when it has none.
    "Both" puts the current interface language first."""
    if preference in INTERFACE_LANGUAGES:
        return (preference,)
    current = translation.get_language() or INTERFACE_LANGUAGES[0]
    current = current if current in INTERFACE_LANGUAGES else INTERFACE_LANGUAGES[0]
    if preference == BOTH:
        return (current, *(code for code in INTERFACE_LANGUAGES if code != current))
    return (current,)


def send_translated(*, to: str, preference: str, subject: Promise, template: str, context: dict[str, object]) -> None:
    """One mail, its subject and text rendered in each of the addressee's languages."""
    subjects: list[str] = []
    texts: list[str] = []
    for language in mail_languages(preference):
        with translation.override(language):
            subjects.append(str(subject))
            texts.append(render_to_string(template, context).strip() + "\n")
    send_mail(" / ".join(subjects), SEPARATOR.join(texts), None, [to])
