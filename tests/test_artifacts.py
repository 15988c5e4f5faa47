"""The built site shows no artifact of printing, scanning or conversion in any text.

The text of every page's article is scanned, except the Transcription notes (which list the
artifacts on purpose), passages marked as damaged (kept as the source has them), and metadata
the project wrote itself.
"""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

from artifacts import PATTERNS, scan

SKIP_CLASSES = {"damaged", "work-meta", "anchor-data", "headerlink", "downloads"}
SKIP_TAGS = {"script", "style", "svg", "nav", "form"}
VOID = {"br", "img", "hr", "input", "meta", "link", "source", "wbr"}


class ArticleText(HTMLParser):
    """Visible text of <article>, without skipped subtrees."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0  # inside <article>
        self.skip = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            return
        classes = set((dict(attrs).get("class") or "").split())
        if tag == "article":
            self.depth += 1
        elif self.depth and (self.skip or tag in SKIP_TAGS or classes & SKIP_CLASSES
                             or "hidden" in dict(attrs)):
            self.skip += 1

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if tag == "article":
            self.depth -= 1
        elif self.depth and self.skip:
            self.skip -= 1
        if tag in ("p", "li", "h1", "h2", "h3", "h4", "blockquote", "dd", "div"):
            self.parts.append("\n")

    def handle_data(self, data):
        if self.depth and not self.skip:
            self.parts.append(data)


def article_text(html: str) -> str:
    p = ArticleText()
    p.feed(html)
    return "".join(p.parts)


def test_extractor_skips_damaged_and_keeps_text():
    html = ('<article><p>Good text.</p><p class="damaged">x )Tj y</p>'
            '<div hidden>FROM MARX</div><p>More <em>text</em>.</p></article>')
    assert article_text(html).split() == ["Good", "text.", "More", "text."]


def test_patterns_catch_each_kind():
    samples = {
        "letter-spacing": "so t h e s e words", "url-footer": "see http://example.org/a (2 of 9)",
        "junk-marker": "!(@$", "line-break-hyphen": "the harb- our", "double-hyphen-dash":
        "word--word", "spaced-hyphen-dash": "word - word", "glued-caps-word": "JanuSTAMP",
        "ocr-speck": "gard~n", "typeface-capitals": "ObVIOUS", "pdf-operator": "a )Tj b",
        "watermark": "NOT FOR COMMERCIAL use", "spaced-ellipsis": "so . . . on",
    }
    assert set(samples) == set(PATTERNS)
    for kind, text in samples.items():
        assert kind in {k for k, _ in scan(text)}, kind
    assert scan("A clean sentence—with a dash, a well-known compound, and pre- and post-war.") == []


def test_built_site_shows_no_artifacts(built_site: Path):
    hits: dict[str, list[str]] = {}
    pages = 0
    for page in sorted(built_site.rglob("index.html")):
        if "transcription-notes" in page.parts:
            continue
        pages += 1
        for kind, excerpt in scan(article_text(page.read_text("utf-8"))):
            hits.setdefault(kind, []).append(f"{page.relative_to(built_site)}: {excerpt}")
    assert pages > 20
    report = "\n".join(f"{k} ({len(v)}): " + "\n    ".join(v[:8]) for k, v in hits.items())
    assert not hits, "artifacts in the built site:\n" + report
