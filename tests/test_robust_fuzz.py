"""Hypothesis fuzzes the whole conversion (decode, clean, notes, segment) and the renderer with
arbitrary text: nothing crashes, no word appears that the source (or a recorded change) does
not hold, no word vanishes unrecorded, and the HTML holds no element or attribute that the
text brought in."""

from __future__ import annotations

import re
from collections import Counter
from html.parser import HTMLParser

import markdown
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from build_site.library import convert_work
from build_site.metadata import WorkMeta
from build_site.model import Document, Section
from build_site.render import render_document

META = WorkMeta.model_validate({
    "title": "Fuzz <b>&</b> *title*", "authors": ["someone"], "date": "1924",
    "source": {"description": "generated"}, "raw_kind": "web-page-text", "raw_file": "raw.txt",
    "sha256": "0" * 64})

# Syntax characters and words, line starts and line ends, and any other character.
PIECES = st.one_of(
    st.sampled_from(["\n", "\n\n", "\r\n", " ", "    ", "\t", "# ", "* ", "- ", "> ", "1. ",
                     "| ", "```", "[^1]", "{: onclick=x }", "{#id}", "{{ x }}", "{% y %}",
                     "<script>", "</p>", "<img src=x onerror=alert(1)>", "&amp;", "&#60;",
                     "[a](javascript:b)", "<http://x>", "_", "*", "`", "\\", "!", "—", "-",
                     "1", "12", "IV.", "CHAPTER I", "Note.", "*", "p. 3", "—Tr."]),
    st.from_regex(r"[A-Za-z]{1,12}", fullmatch=True),
    st.characters(blacklist_categories=("Cs", "Cc")),
)
TEXTS = st.lists(PIECES, max_size=80).map("".join)

WORD = re.compile(r"[^\W_]+")


def words(text: str) -> Counter:
    return Counter(w.casefold() for w in WORD.findall(text))


def _sections(sections: tuple[Section, ...]):
    for s in sections:
        yield s
        yield from _sections(s.children)


def shown_text(doc: Document) -> str:
    parts = []
    for s in _sections(doc.sections):
        parts += [s.title, s.subtitle, *(v for _, v in s.meta), *(b.text for b in s.blocks)]
    parts += [n.text for n in doc.notes]
    return "\n".join(parts)


def convert(text: str) -> Document:
    return convert_work("fuzz", META, text.encode("utf-8"), "fuzz/raw.txt")


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(TEXTS)
@example("AAA 0")  # a heading's trailing number read as a marker of a note the text lacks
def test_conversion_never_crashes_and_conserves_words(text: str):
    doc = convert(text)
    if doc.diagnostics and not doc.sections:
        return  # stopped with a reason (empty file, ...): the decode tests cover those
    src = words(text) + words(META.title)
    recorded_after = words(" ".join(c.after for c in doc.changes))
    recorded_before = words(" ".join(c.before for c in doc.changes))
    out = words(shown_text(doc))
    invented = out - src - recorded_after
    assert not invented, f"words not in the source nor in a recorded change: {invented}"
    lost = src - out - recorded_before - words(META.title)
    assert not lost, f"words gone without a recorded change: {lost}"


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


# Elements the renderer writes itself; attributes it may write on them.
OURS = {"h1", "h2", "h3", "h4", "h5", "h6", "p", "a", "sup", "div", "ol", "li", "hr", "dl",
        "dt", "dd", "ul", "span", "blockquote", "section", "nav", "small", "aside", "details",
        "summary"}
OUR_ATTRIBUTES = {"id", "class", "href", "title", "hidden", "role", "lang"}


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(TEXTS)
def test_rendered_html_has_no_element_or_attribute_from_the_text(text: str):
    doc = convert(text)
    md = markdown.Markdown(extensions=["attr_list", "footnotes", "md_in_html", "toc"],
                           extension_configs={"toc": {"permalink": True}})
    for page in render_document(doc):
        md.reset()
        parser = _Elements()
        parser.feed(md.convert(page.markdown))
        for tag, attrs in parser.found:
            assert tag in OURS, f"{tag} from {page.markdown!r}"
            extra = {a for a in attrs if not a.startswith(("data-", "aria-"))} - OUR_ATTRIBUTES
            assert not extra, f"{tag} {extra} from {page.markdown!r}"
            assert not attrs.get("href", "").lower().startswith("javascript:")
