"""A person's page as MkDocs would render it, without Python-Markdown.

``links.person_markdown`` writes a heading, a raw ``<dl>`` of facts, two paragraphs, then per
work a heading and a list of links to every paragraph naming the person; at 10x the corpus
these are the largest pages Python-Markdown still read (people/lenin.md: 294 KB, thousands of
links). ``person_page_html`` walks the same ``links.PersonPage`` the same way and writes what
Python-Markdown (the site's extensions, toc with permalinks) and MkDocs's link rewriting make
of that Markdown: the same bytes, toc, title and ids (``page_html.PageHTML``). Keep this walk
beside ``person_markdown``; tests/test_people_html.py compares them on every seed person and
on generated people full of Markdown's special marks.

Whatever is not sure to come out the same (control characters, an empty heading, a paragraph
id other than 'p-N', an href with a space or bracket...) declines the page (None): it then
goes through Python-Markdown.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from .links import PersonPage, person_markdown
from .page_html import FOOTNOTE_MARKER, UNSAFE_CHARS, Decline, PageHTML, PageWriter, finish
from .render import escape_attr
from .report_html import heading_html, paragraph_html

_NUMBERED = re.compile(r"p-([0-9]+)\Z")  # person_markdown's '¶N' for an id 'p-N'


def person_page_html(person: PersonPage, resolve: Callable[[str], str]) -> PageHTML | None:
    """What MkDocs's ``Page.render`` makes of ``links.person_markdown(person)``; ``resolve`` is
    MkDocs's link rewriting, called for every href in document order. None if declined
    (before ``resolve`` is called)."""
    try:
        page = _walk(person)
    except Decline:
        return None
    return finish(page, resolve)


def _walk(person: PersonPage) -> PageWriter:
    """``links.person_markdown``'s walk."""
    page = PageWriter(None, "", {}, {})  # no document: a person's page has no notes
    out = page.out
    heading_html(page, 1, person.name)
    for k, v in person.facts:  # a raw HTML block: Python-Markdown keeps it as written
        if UNSAFE_CHARS.search(k + v) or FOOTNOTE_MARKER in k + v:
            raise Decline(repr(v[:40]))
    out.append('\n<dl class="work-meta">' + "".join(
        f"<div><dt>{escape_attr(k)}</dt><dd>{escape_attr(v)}</dd></div>"
        for k, v in person.facts) + "</dl>\n")  # the raw block keeps its line end
    if person.description:
        paragraph_html(page, person.description)
    n = len(person.works)
    out.append(f"\n<p>Named in {person.count} paragraphs of {n} "
               f"{'work' if n == 1 else 'works'}.</p>")
    for title, entries in person.works:
        out.append("\n")
        heading_html(page, 2, title)
        out.append("\n<ul>")
        for section_title, rel, anchors in entries:
            out.append("\n<li>")
            page.text(section_title)
            out[-1] = out[-1].lstrip(" ")  # the list item's marker takes the spaces after it
            out.append(": ")
            for i, anchor in enumerate(anchors):
                number = _NUMBERED.match(anchor)
                if number is None:
                    raise Decline(anchor)
                out.append('<a href="' if i == 0 else ', <a href="')
                page.href(f"{rel}#{anchor}")
                out.append(f'">¶{number.group(1)}</a>')
            out.append("</li>")
        out.append("\n</ul>")
    return page


def people_pages(built) -> dict[str, PersonPage]:
    """Each person's page in the built library: path -> its ``PersonPage``, for the pages
    whose Markdown is ``person_markdown``'s (below any front matter), checked here so that a
    page made otherwise is left to Python-Markdown."""
    out: dict[str, PersonPage] = {}
    for p in built.pages:
        person = p.extra.get("person")
        if isinstance(person, PersonPage) and p.markdown.endswith(person_markdown(person)):
            out[p.path] = person
    return out
