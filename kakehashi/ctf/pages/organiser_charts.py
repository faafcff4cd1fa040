"""Small inline SVG charts drawn on the server — pure functions, no I/O, no chart library.

The drawings carry no text: labels, the scale and the numbers are HTML around them (and a data
table), so they stay legible at any width and in either language. Colours come from the page's
CSS variables through classes, so light and dark themes both apply.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

WIDTH = 1000
HEIGHT = 100
TOP_ROOM = 4  # keep the tallest mark off the top edge


@dataclass(frozen=True)
class Bar:
    total: int
    part: int  # the highlighted share of the total (e.g. correct submissions)
    title: str  # the tooltip: what the bar stands for, with its numbers


def _scale(value: int, maximum: int) -> float:
    return 0.0 if maximum <= 0 else value / maximum * (HEIGHT - TOP_ROOM)


def _svg(caption_id: str, body: SafeString) -> SafeString:
    return format_html(
        '<svg class="chart-drawing" viewBox="0 0 {} {}" preserveAspectRatio="none" role="img" aria-labelledby="{}" '
        'focusable="false">{}<line class="chart-baseline" x1="0" y1="{}" x2="{}" y2="{}"></line></svg>',
        WIDTH, HEIGHT, caption_id, body, HEIGHT, WIDTH, HEIGHT,
    )  # fmt: skip


def bar_chart(bars: Sequence[Bar], *, caption_id: str) -> SafeString:
    """One bar per entry, the highlighted part drawn over the total from the baseline."""
    if not bars:
        return _svg(caption_id, SafeString(""))
    maximum = max(bar.total for bar in bars)
    step = WIDTH / len(bars)
    width = step * 0.8
    parts = []
    for index, bar in enumerate(bars):
        x = index * step + (step - width) / 2
        total = _scale(bar.total, maximum)
        part = _scale(min(bar.part, bar.total), maximum)
        parts.append(
            (
                bar.title,
                f"{x:.2f}",
                f"{HEIGHT - total:.2f}",
                f"{width:.2f}",
                f"{total:.2f}",
                f"{x:.2f}",
                f"{HEIGHT - part:.2f}",
                f"{width:.2f}",
                f"{part:.2f}",
            )
        )
    body = format_html_join(
        "",
        '<g><title>{}</title><rect class="chart-bar" x="{}" y="{}" width="{}" height="{}"></rect>'
        '<rect class="chart-bar-part" x="{}" y="{}" width="{}" height="{}"></rect></g>',
        parts,
    )
    return _svg(caption_id, body)


def step_chart(values: Sequence[int], *, caption_id: str) -> SafeString:
    """A running total as a filled step line, one step per entry."""
    if not values:
        return _svg(caption_id, SafeString(""))
    maximum = max(values)
    step = WIDTH / len(values)
    points = [(0.0, float(HEIGHT))]
    for index, value in enumerate(values):
        y = HEIGHT - _scale(value, maximum)
        points += [(index * step, y), ((index + 1) * step, y)]
    outline = " ".join(f"{x:.2f},{y:.2f}" for x, y in points)
    area = f"{outline} {WIDTH},{HEIGHT}"
    body = format_html(
        '<polygon class="chart-area" points="{}"></polygon><polyline class="chart-line" points="{}"></polyline>',
        area,
        outline,
    )
    return _svg(caption_id, body)
