"""The catalogue's quick paths (build_site/anchors.py) give what the plain code gives: the ids
of a page's Markdown, and a block's first words."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from build_site import anchors

_PIECES = ["{#p-1}", "{: #p-22 .note}", "> {#p-3}", "{#p-4", "#p-5}", "{.x #p-6 #p-7}",
           "{#p-}", "{#p-8}}", " {#p-9}", "text #p-10 text", "{ #p-11 }", ">{#p-12}", "\n",
           "\n\n", "}", "{", "#", "p-", "word", " ", "\t", "\u2028", "é"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=30))
def test_page_ids_are_the_patterns_matches(pieces: list[str]):
    markdown = "".join(pieces)
    plain = [m.group(1) for m in anchors._ATTR_ID.finditer(markdown)]
    assert anchors.page_ids(markdown) == plain


def test_page_ids_of_the_seed_pages():
    from pathlib import Path

    from build_site.library import build_library

    root = Path(__file__).resolve().parents[1]
    built = build_library(root / "source", cache_dir=root / ".cache" / "build-site")
    ids = [anchors.page_ids(p.markdown) for p in built.pages]
    assert ids == [[m.group(1) for m in anchors._ATTR_ID.finditer(p.markdown)]
                   for p in built.pages]
    assert sum(map(len, ids)) > 1000


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(["a", "bb", " ", "  ", "\n", "\t", "\u00a0", "\u3000",
                                  "x" * 30]), max_size=60).map("".join),
       st.integers(min_value=0, max_value=10))
def test_head_is_the_first_words(text: str, n: int):
    assert anchors.head(text, n) == " ".join(text.split()[:n])[:80]
