"""The hostile-input corpus, and a check that an HTML answer holds nothing a browser would run."""

import json
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

CORPUS_PATH = Path(__file__).with_name("corpus.txt")
MARKER = "KKX"  # put before every payload, so a test can tell that the field was shown at all

# Elements that content must never bring in; the site's own templates use none of them.
FORBIDDEN_TAGS = {
    "iframe", "frame", "frameset", "object", "embed", "applet", "base", "style", "meta",
    "animate", "set", "animatetransform", "animatemotion", "foreignobject", "noscript", "template",
}  # fmt: skip
URL_ATTRIBUTES = {
    "href", "src", "action", "formaction", "xlink:href", "data", "poster", "background",
    "srcset", "cite", "longdesc", "ping", "manifest", "codebase", "dynsrc", "lowsrc",
}  # fmt: skip
DANGEROUS_SCHEMES = ("javascript:", "vbscript:", "data:", "livescript:")
_IGNORED_IN_URLS = re.compile(r"[\x00-\x20\x7f-\x9f]")


def load_corpus() -> list[str]:
    lines = CORPUS_PATH.read_text(encoding="utf-8").splitlines()
    return [line.replace("\\n", "\n") for line in lines if line and not line.startswith("# ")]


@dataclass
class Finding:
    tag: str
    problem: str
    line: int


@dataclass
class _Scanner(HTMLParser):
    static_prefix: str
    findings: list[Finding] = field(default_factory=list)
    _script: str | None = None
    _script_json: bool = False

    def __post_init__(self) -> None:
        super().__init__(convert_charrefs=True)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line = self.getpos()[0]
        values = {name.lower(): value or "" for name, value in attrs}
        if tag in FORBIDDEN_TAGS and not (tag == "meta" and "http-equiv" not in values):
            self.findings.append(Finding(tag, "forbidden element", line))
        for name, value in values.items():
            if name.startswith("on"):
                self.findings.append(Finding(tag, f"event attribute {name}", line))
            if name == "style":
                self.findings.append(Finding(tag, "inline style attribute", line))
            if name == "srcdoc":
                self.findings.append(Finding(tag, "srcdoc attribute", line))
            if name in URL_ATTRIBUTES and _dangerous_url(value):
                self.findings.append(Finding(tag, f"{name}={value[:40]!r}", line))
        if tag == "form" and values.get("action", "").startswith(("//", "http:", "https:")):
            self.findings.append(Finding(tag, "form posting elsewhere", line))
        if tag == "link" and not values.get("href", "").startswith(self.static_prefix):
            self.findings.append(Finding(tag, "link to a foreign resource", line))
        if tag == "script":
            self._script = ""
            self._script_json = values.get("type") == "application/json"
            source = values.get("src", "")
            if not self._script_json and not source.startswith(self.static_prefix):
                self.findings.append(Finding(tag, f"script not from our static files: {source!r}", line))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag == "script":
            self.handle_endtag(tag)

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._script += data

    def handle_endtag(self, tag: str) -> None:
        if tag != "script" or self._script is None:
            return
        body, self._script = self._script, None
        if self._script_json:
            try:
                json.loads(body)
            except ValueError:
                self.findings.append(Finding(tag, "a JSON data block that is not JSON", self.getpos()[0]))
        elif body.strip():
            self.findings.append(Finding(tag, "inline script", self.getpos()[0]))


def _dangerous_url(value: str) -> bool:
    compact = _IGNORED_IN_URLS.sub("", value).lower()
    return any(candidate.strip().startswith(DANGEROUS_SCHEMES) for candidate in compact.split(","))


def executable_parts(html: str, *, static_prefix: str = "/static/") -> list[Finding]:
    """Everything in ``html`` that could run script or load foreign active content."""
    scanner = _Scanner(static_prefix=static_prefix)
    scanner.feed(html)
    scanner.close()
    return scanner.findings
