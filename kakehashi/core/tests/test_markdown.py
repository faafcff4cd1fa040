from html.parser import HTMLParser

import pytest

from kakehashi.core.markdown import render_markdown

DANGEROUS_TAGS = {"script", "iframe", "svg", "object", "embed", "style", "form", "math", "link", "meta"}


class ActiveContentFinder(HTMLParser):
    """Collects every element or attribute of the rendered HTML that could run or load active content."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in DANGEROUS_TAGS:
            self.found.append(tag)
        for name, value in attrs:
            lowered = (value or "").strip().lower()
            if name.startswith("on") or name == "style":
                self.found.append(f"{tag}[{name}]")
            if name in {"href", "src"} and not lowered.startswith(("http://", "https://", "mailto:", "#", "/")):
                self.found.append(f"{tag}[{name}={lowered}]")


def active_content(html: str) -> list[str]:
    finder = ActiveContentFinder()
    finder.feed(html)
    return finder.found


@pytest.mark.parametrize(
    "source",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "![x](javascript:alert(1))",
        '<a href="#" onclick="alert(1)">x</a>',
        "<iframe src=https://example.org></iframe>",
        "<svg onload=alert(1)>",
        "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    ],
)
def test_nothing_executable_survives(source: str) -> None:
    assert active_content(str(render_markdown(source))) == []


def test_the_finder_notices_active_content() -> None:
    assert active_content('<a href="javascript:x">a</a><img src=x onerror=y><script></script>') == [
        "a[href=javascript:x]",
        "img[src=x]",
        "img[onerror]",
        "script",
    ]


def test_markdown_features_render() -> None:
    source = "# Title\n\n**bold** `code` [link](https://example.org)\n\n| a | b |\n|---|---|\n| 1 | 2 |"
    html = str(render_markdown(source))
    assert "<h1>Title</h1>" in html
    assert "<strong>bold</strong>" in html
    assert "<code>code</code>" in html
    assert 'href="https://example.org"' in html
    assert 'rel="noopener noreferrer nofollow"' in html
    assert "<table>" in html


def test_japanese_text_is_kept() -> None:
    assert "日本語の説明。" in str(render_markdown("日本語の説明。"))
