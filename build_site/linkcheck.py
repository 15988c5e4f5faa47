"""Link integrity of a built site: every internal link leads to a file that is there, and every
``#fragment`` to an id on that page. MkDocs validates the links written in Markdown; this
reads the finished HTML, so links from templates, overrides and our own raw HTML count too.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .model import Diagnostic, Level

# (tag, attribute) pairs that point at something the site must hold.
_LINKING = {("a", "href"), ("link", "href"), ("script", "src"), ("img", "src"),
            ("source", "src"), ("iframe", "src"), ("area", "href")}
# <link rel=...> values that name another site or only hint at one.
_EXTERNAL_RELS = {"preconnect", "dns-prefetch", "canonical", "alternate"}


@dataclass(frozen=True)
class Link:
    href: str
    line: int


class _Page(HTMLParser):
    """The ids and the outgoing links of one HTML file."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[Link] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        for key in ("id", "name") if tag == "a" else ("id",):
            if values.get(key):
                self.ids.add(values[key])
        for t, attr in _LINKING:
            if tag == t and values.get(attr) is not None:
                if tag == "link" and set((values.get("rel") or "").split()) & _EXTERNAL_RELS:
                    continue
                self.links.append(Link(values[attr], self.getpos()[0]))

    handle_startendtag = handle_starttag


def _is_internal(href: str) -> bool:
    parts = urlsplit(href)
    return not parts.scheme and not parts.netloc and not href.startswith("//")


def _target(site: Path, page: Path, path: str) -> Path:
    """The file a URL path leads to, as a static server would resolve it."""
    if path.startswith("/"):
        rel = path.lstrip("/")
    else:
        here = page.parent.relative_to(site).as_posix()
        rel = posixpath.normpath(posixpath.join(here, path))
    target = site / unquote(rel)
    if path.endswith("/") or target.is_dir():
        target = target / "index.html"
    return target


def read_pages(site: Path) -> dict[Path, _Page]:
    pages = {}
    for html in sorted(site.rglob("*.html")):
        parser = _Page()
        parser.feed(html.read_text(encoding="utf-8", errors="replace"))
        parser.close()
        pages[html] = parser
    return pages


def check_site(site: Path) -> list[Diagnostic]:
    """Every broken internal link or fragment of the site at ``site``, one Diagnostic each."""
    site = site.resolve()
    pages = read_pages(site)
    return [d for html, parsed in pages.items() for d in _check_page(site, html, parsed, pages)]


def _check_page(site: Path, html: Path, parsed: _Page, pages: dict) -> Iterator[Diagnostic]:
    for link in parsed.links:
        if not _is_internal(link.href):
            continue
        parts = urlsplit(link.href)
        target = _target(site, html, parts.path) if parts.path else html
        where = str(html.relative_to(site))
        if not target.is_file() or site not in target.resolve().parents:
            yield Diagnostic(Level.ERROR, "broken-link",
                             f"link to {link.href!r}: no such file in the site "
                             f"({target.relative_to(site) if site in target.parents else target})",
                             where, link.line)
            continue
        fragment = unquote(parts.fragment)
        if fragment and target.suffix == ".html":
            ids = pages[target].ids if target in pages else set()
            if fragment not in ids:
                yield Diagnostic(Level.ERROR, "broken-anchor",
                                 f"link to {link.href!r}: no id {fragment!r} on "
                                 f"{target.relative_to(site)}", where, link.line)
