"""A person's page made straight from its ``links.PersonPage`` (build_site/people_html.py) is
what MkDocs's ``Page.render`` (Python-Markdown with the site's extensions) makes of
``links.person_markdown``: the same content, toc, title, ids, links and log records; on every
seed person, and on generated people whose names, facts, descriptions, work and section
titles are full of Markdown's special marks. (Whole builds with and without direct_html, which
include these pages: tests/test_page_html.py.)"""

from __future__ import annotations

import dataclasses

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

from build_site import links, people_html


def both(person: links.PersonPage, path: str, config, files) -> tuple[tuple, tuple | None]:
    """(Python-Markdown's result, people_html's result or None if declined)."""
    return compare(path, links.person_markdown(person),
                   lambda resolve: people_html.person_page_html(person, resolve), config, files)


# --- (a) every seed person's page ------------------------------------------------------------

def test_every_seed_person_is_what_python_markdown_makes(corpus):  # noqa: F811
    config, files, built = corpus
    pages = people_html.people_pages(built)
    people = [p for p in built.pages if p.path.startswith(links.PEOPLE_DIR + "/")
              and not p.path.endswith("/index.md")]
    assert len(pages) == len(people) >= 20
    for path, person in pages.items():
        want, got = both(person, path, config, files)
        assert got is not None, f"{path} declined"
        assert got == want, f"{path}: {explain(want, got)}"


def test_a_person_page_made_otherwise_is_not_taken(corpus):  # noqa: F811
    _, _, built = corpus
    page = next(p for p in built.pages if "person" in p.extra)
    edited = with_page_edited(built, page)
    assert page.path in people_html.people_pages(built)
    assert page.path not in people_html.people_pages(edited)


# --- (b) generated people ---------------------------------------------------------------------

PATH = "people/x.md"
TARGETS = ("w/a.md", "people/x.md", "missing.md")  # hrefs declined: test_declines
ALPHABET = ("ab 1.*_#[]()<>&\"'{}\\|!`+-:;~=^\t\n\xa0\u2028\u2003é—"
            "fn:ref2///Footnotes Go Here")
texts = st.text(ALPHABET, max_size=30)
names = st.text(ALPHABET, min_size=1, max_size=30)  # a blank one declines the page
ANCHORS = st.integers(0, 10**5).map(lambda n: f"p-{n}")  # others: test_declines


@st.composite
def people(draw, anchors=ANCHORS) -> links.PersonPage:
    facts = tuple((k, draw(texts)) for k in ("Dates", "Full name", "Also written")
                  if draw(st.booleans()))
    entries = st.tuples(texts, st.sampled_from(TARGETS).map(
        lambda t: "../" + t), st.lists(anchors, min_size=1, max_size=5).map(tuple))
    works = draw(st.lists(st.tuples(names, st.lists(entries, min_size=1, max_size=4).map(tuple)),
                          max_size=4))
    return links.PersonPage(draw(names), facts, draw(texts), draw(st.integers(1, 10**4)),
                            tuple(works))


@pytest.fixture(scope="module")
def site(small_site):  # noqa: F811
    config, files = small_site
    for path in (PATH, "w/a.md"):
        if files.get_file_from_path(path) is None:
            files.append(File(path, config.docs_dir, config.site_dir, config.use_directory_urls))
    return config, files


@settings(max_examples=300, deadline=None, suppress_health_check=[
    HealthCheck.too_slow, HealthCheck.data_too_large])
@given(people())
def test_generated_people_render_as_python_markdown_does(site, person):
    config, files = site
    want, got = both(person, PATH, config, files)
    if got is not None:
        assert got == want, explain(want, got)


def test_generated_people_are_mostly_made_not_declined(site):
    """The equality above is not won by declining: people whose name, work titles and
    description are not blank (nor hold the footnotes placeholder) are all made."""
    config, files = site
    made = []
    plain = st.text(ALPHABET, max_size=30).filter(
        lambda t: t.strip() and "///Footnotes Go Here///" not in t)

    @settings(max_examples=100, deadline=None, suppress_health_check=[
        HealthCheck.too_slow, HealthCheck.filter_too_much])
    @given(people(), plain, st.lists(plain))
    def count(person, name, titles) -> None:
        works = tuple((titles[i] if i < len(titles) else "t", entries)
                      for i, (_, entries) in enumerate(person.works))
        person = dataclasses.replace(person, name=name, works=works,
                                     description=person.description.strip() and "d")
        want, got = both(person, PATH, config, files)
        made.append(got is not None)
        if got is not None:
            assert got == want, explain(want, got)

    count()
    assert all(made) and len(made) >= 50


def test_declines():
    person = links.PersonPage("N", (), "", 1, (("W", (("S", "../w/a.md", ("p-1",)),)),))
    assert people_html.person_page_html(person, lambda h: h) is not None
    for bad in (dataclasses.replace(person, name="  "),
                dataclasses.replace(person, facts=(("Dates", "a\x01"),)),
                dataclasses.replace(person, works=(("W", (("S", "../w/a.md", ("x",)),)),)),
                dataclasses.replace(person, works=(("W", (("S", "../w/a b.md", ("p-1",)),)),))):
        assert people_html.person_page_html(bad, lambda h: h) is None, bad
