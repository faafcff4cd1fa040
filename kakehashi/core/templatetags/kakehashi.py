"""Template helpers for bilingual display: translated fields, both languages, several time zones."""

from datetime import datetime
from typing import Any

from django import template
from django.utils import timezone, translation
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext, gettext_lazy

from kakehashi.core.languages import BOTH, Display
from kakehashi.core.markdown import render_markdown, sanitise_html
from kakehashi.core.timezones import in_zones

register = template.Library()

LANGUAGE_NAMES = {"en": gettext_lazy("English"), "ja": gettext_lazy("Japanese")}


def _display(context: template.Context) -> Display:
    request = context.get("request")
    found = getattr(request, "display", None)
    if isinstance(found, Display):
        return found
    language = translation.get_language() or "en"
    return Display(mode=language, language=language)


class BothNode(template.Node):
    def __init__(self, message: str) -> None:
        self.message = message

    def render(self, context: template.Context) -> str:
        display = _display(context)
        first = gettext(self.message)
        if display.mode != BOTH:
            return format_html("{}", first)
        with translation.override(display.other_language):
            second = gettext(self.message)
        if second == first:
            return format_html("{}", first)
        return format_html(
            '<span lang="{}">{}</span><span class="bi-second" lang="{}">{}</span>',
            display.language,
            first,
            display.other_language,
            second,
        )


@register.tag
def both(parser: template.base.Parser, token: template.base.Token) -> BothNode:
    """``{% both _("Sign in") %}``: an interface string, and in side-by-side mode its other-language
    version too. The ``_()`` form lets ``makemessages`` find the string."""
    bits = token.split_contents()
    literal = bits[1] if len(bits) == 2 else ""
    if not (literal.startswith(('_("', "_('")) and literal.endswith(('")', "')"))):
        raise template.TemplateSyntaxError('Use {% both _("text") %}')
    return BothNode(literal[3:-2])


def _field_html(
    obj: Any, field: str, language: str, markdown: bool, html: bool = False
) -> tuple[str | None, SafeString]:
    rendition = obj.rendition(language)
    if rendition.row is None:
        return None, format_html('<span class="missing">{}</span>', gettext("No text yet."))
    value = str(getattr(rendition.row, field, ""))
    renderer = sanitise_html if html else render_markdown if markdown else None
    body = renderer(value) if renderer is not None else format_html("{}", value)
    if rendition.is_fallback:
        with translation.override(language):
            # Translators: a notice above authored text shown in another language than asked for.
            notice = gettext("Shown in %(language)s: no %(wanted)s text yet.") % {
                "language": LANGUAGE_NAMES.get(rendition.language or "", rendition.language or ""),
                "wanted": LANGUAGE_NAMES.get(language, language),
            }
        body = format_html('<span class="fallback-notice" role="note">{}</span> {}', notice, body)
    return rendition.language, body


@register.simple_tag(takes_context=True)
def translated(
    context: template.Context, obj: Any, field: str, markdown: bool = False, html: bool = False
) -> SafeString:
    """A field of a translatable object in the reader's language, or both side by side."""
    display = _display(context)
    languages = (display.language, display.other_language) if display.mode == BOTH else (display.language,)
    parts = []
    for language in languages:
        shown, body = _field_html(obj, field, language, markdown, html)
        parts.append((shown or language, body))
    if len(parts) == 1:
        shown, body = parts[0]
        return format_html('<span lang="{}">{}</span>', shown, body)
    element = "div" if markdown or html else "span"  # spans keep headings and table cells valid HTML
    cells = format_html_join("", "<" + element + ' class="side" lang="{}">{}</' + element + ">", parts)
    return format_html('<{} class="side-by-side">{}</{}>', element, cells, element)


@register.inclusion_tag("core/event_time.html", takes_context=True)
def event_time(context: template.Context, moment: datetime | None) -> dict[str, Any]:
    """A moment in the viewer's zone, then London and Tokyo, each zone named."""
    if moment is None:
        return {"times": []}
    viewer = timezone.get_current_timezone_name()
    times = in_zones(moment, viewer_zone=viewer)
    return {"times": times, "iso": moment.isoformat()}


@register.inclusion_tag("core/event_time.html")
def now_in_zones() -> dict[str, Any]:
    """The current moment in the viewer's zone, London and Tokyo."""
    moment = timezone.now()
    return {"times": in_zones(moment, viewer_zone=timezone.get_current_timezone_name()), "iso": moment.isoformat()}
