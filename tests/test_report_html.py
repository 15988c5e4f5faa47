"""A work's transcription notes page made straight from its report (build_site/report_html.py)
is what MkDocs's ``Page.render`` (Python-Markdown with the site's extensions) makes of
``report.report_markdown``: the same content, toc, title, ids, links and log records; on every
seed work, and on generated reports whose titles, rules and change texts are full of Markdown's
and the tables' special marks. (Whole builds with and without direct_html, which now include
these pages: tests/test_page_html.py.)"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mkdocs.structure.files import File
from test_page_html import (  # noqa: F401
    compare,
    corpus,
    explain,
    small_site,
    with_page_edited,
)

from build_site import report, report_html
from build_site.model import Block, BlockKind, Change, Document, Section


def both(doc: Document, title: str, path: str, config, files) -> tuple[tuple, tuple | None]:
    """(Python-Markdown's result, report_html's result or None if declined)."""
    return compare(path, report.report_markdown(doc, title),
                   lambda resolve: report_html.report_page_html(doc, title, resolve),
                   config, files)


# --- (a) every seed work's page ---------------------------------------------------------------

def test_every_seed_report_is_what_python_markdown_makes(corpus):  # noqa: F811
    config, files, built = corpus
    pages = report_html.report_pages(built)
    assert len(pages) == len(built.documents) >= 5
    generated = {p.path: p.markdown for p in built.pages}
    for path, (doc, title) in pages.items():
        # the page's Markdown (below its citation front matter) is report_markdown's
        assert generated[path].startswith("---\n")
        assert generated[path].endswith(report.report_markdown(doc, title))
        want, got = both(doc, title, path, config, files)
        assert got is not None, f"{path} declined"
        assert got == want, f"{path}: {explain(want, got)}"


def test_a_report_page_made_otherwise_is_not_taken(corpus):  # noqa: F811
    """report_pages keeps only pages whose Markdown is report_markdown's."""
    _, _, built = corpus
    page = next(p for p in built.pages if p.path.endswith("/" + report.REPORT_FILE))
    edited = with_page_edited(built, page)
    assert page.path in report_html.report_pages(built)
    assert page.path not in report_html.report_pages(edited)


# --- (b) generated reports ---------------------------------------------------------------------

PATH = "w/transcription-notes.md"
ALPHABET = ("ab 1.*_#[]()<>&\"'{}\\|!`+-:;~=^\t\n\xa0\u2028\u2003é—"
            "fn:ref2///Footnotes Go Here")
texts = st.text(ALPHABET, max_size=30)
RULES = [*report.RULE_TITLES, "x", "a|b", "*em*", "# h", "  ", "1. b", "`c`|`d`"]


@st.composite
def reports(draw, rules=RULES) -> tuple[Document, str]:
    changes = draw(st.lists(st.builds(
        Change, st.sampled_from(rules), st.sampled_from(["dropped", "changed", "joined",
                                                         "flagged"]),
        st.integers(0, 10**6), texts, texts, texts), max_size=12))
    damaged = draw(st.lists(texts, max_size=2))
    blocks = tuple(Block(BlockKind.DAMAGED, t, 1, 2) for t in damaged)
    doc = Document("w", (Section("T", "t", blocks=blocks),), changes=tuple(changes))
    return doc, draw(texts)


@pytest.fixture(scope="module")
def site(small_site):  # noqa: F811
    config, files = small_site
    files.append(File(PATH, config.docs_dir, config.site_dir, config.use_directory_urls))
    return config, files


NOTES = st.one_of(st.none(), texts)


@settings(max_examples=300, deadline=None, suppress_health_check=[
    HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture])
@given(reports(), NOTES)
def test_generated_reports_render_as_python_markdown_does(site, monkeypatch, generated, notes):
    """Random titles, rule names, change texts, and (sometimes) a random notes sentence."""
    config, files = site
    doc, title = generated
    if notes is not None:
        monkeypatch.setattr(report, "notes_line", lambda _doc: notes)
    want, got = both(doc, title, PATH, config, files)
    if got is not None:
        assert got == want, explain(want, got)


def test_generated_reports_are_mostly_made_not_declined(site):
    """The equality above is not won by declining: every report without a blank rule title
    (the only thing the generator makes that is declined) is made."""
    config, files = site
    made = []

    @settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(reports([r for r in RULES if r.strip()]))
    def count(generated) -> None:
        doc, title = generated
        want, got = both(doc, title, PATH, config, files)
        made.append(got is not None)
        if got is not None:
            assert got == want, explain(want, got)

    count()
    assert all(made) and len(made) >= 50


def test_declines(site):
    config, files = site
    doc = Document("w", (Section("T", "t"),), changes=(Change("ocr", "changed", 3, "a"),))
    assert both(doc, "T", PATH, config, files)[1] is not None
    for bad in (Change("ocr", "changed", 3, "a\x01b"), Change("ocr", "*x*", 3, "a"),
                Change("  ", "changed", 3, "a")):
        d = Document("w", (Section("T", "t"),), changes=(bad,))
        assert report_html.report_page_html(d, "T", lambda h: h) is None, bad
