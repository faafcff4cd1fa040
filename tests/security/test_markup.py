"""The checker that the hostile-input tests rely on must itself find what runs."""

import pytest

from tests.security.markup import executable_parts, load_corpus

RUNNABLE = [
    "<script>alert(1)</script>",
    '<script src="https://evil.example/x.js"></script>',
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    '<a href="&#x6A;avascript:alert(1)">x</a>',
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    '<a href=" JAVASCRIPT:alert(1)">x</a>',
    '<img src="data:image/svg+xml,<svg onload=alert(1)>">',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    "<object data=x></object>",
    "<embed src=x>",
    '<base href="https://evil.example/">',
    '<form action="https://evil.example/"><button>go</button></form>',
    '<svg><a xlink:href="javascript:alert(1)">x</a></svg>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<p style="background:url(javascript:alert(1))">x</p>',
    '<script type="application/json">{"a": </script>',
]

INERT = [
    '<script type="module" src="/static/core/kakehashi.js"></script>',
    '<script type="application/json" id="strings">{"a": "\\u003Cscript\\u003E"}</script>',
    '<a href="https://example.org/" rel="noopener">x</a>',
    "<p>&lt;script&gt;alert(1)&lt;/script&gt; javascript:alert(1)</p>",
    '<form method="post" action="/events/x/register/"><button>go</button></form>',
    '<meta charset="utf-8">',
]


@pytest.mark.parametrize("html", RUNNABLE)
def test_runnable_markup_is_found(html: str) -> None:
    assert executable_parts(html) != []


@pytest.mark.parametrize("html", INERT)
def test_inert_markup_passes(html: str) -> None:
    assert executable_parts(html) == []


def test_corpus_covers_both_languages_and_line_breaks() -> None:
    corpus = load_corpus()
    assert len(corpus) > 40
    assert any("\n" in payload for payload in corpus)
    assert any("日本語" in payload for payload in corpus)
    assert any(payload.startswith("＜") for payload in corpus)
    assert any("\u202e" in payload for payload in corpus)
    assert not any(payload.startswith("# ") for payload in corpus)
