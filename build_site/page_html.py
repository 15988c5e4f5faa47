"""Document model -> the HTML MkDocs would make of a page's Markdown, without Python-Markdown.

``render.render_page`` writes a small closed grammar (titles, paragraphs with attr_list ids,
quotes, raw HTML blocks, cross-links, footnotes); converting it back with Python-Markdown was
most of the build's CPU time. ``render_page_html`` walks the model the way ``render_page`` does
and writes, piece for piece, what Python-Markdown (with this site's extensions: attr_list,
footnotes, md_in_html, toc with permalinks, and MkDocs's own tree processors) makes of that
Markdown: the same bytes, the same table of contents, title, ids and links. Keep the two walks
side by side: a change to one is a change to the other, and tests/test_page_html.py compares
them on every seed page and on generated documents.

Whatever this module is not sure to render exactly makes it decline the page (``None``), which
then goes through Python-Markdown: control characters, an empty title, block or note, an id,
href or link data attr_list or a link would read otherwise (link data with '*', '_'...
is broken by Python-Markdown), a block opening with a note marker and ':' (a footnote
definition to Python-Markdown), a fence, the footnotes placeholder text.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypedDict

from markdown.extensions.toc import nest_toc_tokens, slugify, unique

from . import render
from .model import Block, BlockKind, Document, InlineLink, Note, NoteRef, Section

# Characters Python-Markdown treats in ways escape() does not neutralise: controls (stripped
# or kept at block edges), and the two markers below. Pages holding them are declined.
UNSAFE_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
FOOTNOTE_MARKER = "///Footnotes Go Here///"
_SAFE_ID = re.compile(r"[A-Za-z0-9_:.-]+\Z")  # an id attr_list reads back as itself
_SAFE_HREF = re.compile(r"[A-Za-z0-9_.~/#:%-]*\Z")  # no space, quote, bracket or parenthesis
# a data value attr_list reads as written (inline patterns run on it first: no '*', '_'...)
_SAFE_ATTR = re.compile(r"[^\n\r\t\"{}\\<>&*_`\[\]!]*\Z")
_SAFE_KEY = re.compile(r"[a-z][a-z0-9-]*\Z")
_SPACE_RUN = render._SPACE_RUN
_BACKREF = ('<a class="footnote-backref" href="{0}" title="Jump back to footnote {1} in the '
            'text">&#8617;</a>')
_END_QUOTE = "</p>\n</blockquote>"
_AMP = re.compile(r"&(?!(?:\#[0-9]+|\#x[0-9a-f]+|[0-9a-z]+);)", re.IGNORECASE)  # serializer's


class Decline(Exception):
    """The page holds something this renderer does not reproduce exactly."""


@dataclass(frozen=True)
class PageHTML:
    """What MkDocs's ``Page.render`` sets, made without Python-Markdown. ``links`` is
    ``links_to_anchors`` as the ``resolve`` callback collected it (MkDocs's own code)."""

    content: str
    toc_tokens: list
    title: str | None
    anchor_ids: set[str]


def text_html(raw: str) -> str:
    """What Python-Markdown writes for ``render.escape(raw)`` inside a block (same steps: the
    backslashes escape() adds come out as the characters themselves)."""
    if UNSAFE_CHARS.search(raw) or FOOTNOTE_MARKER in raw:
        raise Decline(repr(raw[:40]))
    t = raw.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if "]:" in t:
        t = t.replace("]:", "]&#58;")
    if "\t" in t or "\n" in t or "\r" in t or "  " in t:
        t = _SPACE_RUN.sub(" ", t)
    if t[:1].isspace() or t[-1:].isspace():
        t = render.edge_space_refs(t)
    return t


def _attr(value: str) -> str:
    """An attribute value as Python-Markdown's serializer escapes it."""
    if "&" in value:
        value = _AMP.sub("&amp;", value)
    return value.replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


class PageWriter:
    """One page's walk: the HTML pieces in document order. Pieces that depend on the whole page
    (a heading's id, a footnote reference's id, every href MkDocs rewrites) are left empty
    and filled in by ``finish``, in document order."""

    def __init__(self, doc: Document | None, here: str, note_keys: dict[str, str],
                 notes: dict[str, Note]) -> None:
        self.doc, self.here = doc, here
        self.note_keys, self.notes = note_keys, notes
        self.number = {key: n for n, key in enumerate(note_keys.values(), start=1)}
        self.ids: list[str] = []  # ids given in the Markdown, in document order
        self.out: list[str] = []
        self.hrefs: list[tuple[int, str]] = []  # (index in out, href MkDocs rewrites)
        self.refs: list[tuple[str, int, int]] = []  # (key, quote number or -1, index in out)
        self.quotes = 0  # quotes met so far
        self.headings: list[tuple[int, int, int, str | None]] = []  # level, open, close, id
        self.backrefs: list[tuple[str, int]] = []  # (key, index in out)
        self.texts: set[int] = set()  # indexes in out of escaped text (not tags, placeholders)

    def text(self, raw: str) -> None:
        self.texts.add(len(self.out))
        self.out.append(text_html(raw))

    def href(self, href: str) -> None:
        """A placeholder for a link's href, rewritten by MkDocs in ``finish``."""
        if not _SAFE_HREF.match(href):
            raise Decline(href)
        self.hrefs.append((len(self.out), href))
        self.out.append("")

    def ref(self, key: str, quote: int) -> None:
        """A footnote reference; its id (fnref, fnref2...) depends on the order in which
        Python-Markdown meets the references (``finish``)."""
        self.refs.append((key, quote, len(self.out)))
        self.out.append("")
        self.href("#fn:" + key)
        self.out.append(f'">{self.number[key]}</a></sup>')

    def inline(self, block: Block, quote: int) -> None:
        """``render._with_refs``: text with note references and cross-links at their offsets."""
        if not block.refs and not block.links:
            self.text(block.text)
            return
        last = 0
        for offset, is_ref, item in render.inline_events(block):
            self.text(block.text[last:offset])
            if is_ref:
                assert isinstance(item, NoteRef)
                if item.note_id in self.note_keys and not block.text[:offset].strip(" \t\r\n") \
                        and block.text[offset:offset + 1] == ":":
                    # '[^key]:' opening a block is a footnote definition to Python-Markdown
                    raise Decline("a block opening with '[^key]:'")
                if item.note_id in self.note_keys:
                    self.ref(self.note_keys[item.note_id], quote)
                last = offset
            else:
                assert isinstance(item, InlineLink)
                self.link(block, item)
                last = item.end
        self.text(block.text[last:])

    def link(self, block: Block, link: InlineLink) -> None:
        """``render._link_md``: attributes in the serializer's (sorted) order, href last."""
        if not _SAFE_KEY.match(link.kind):
            raise Decline(link.kind)
        attrs = [("class", f"xref-{link.kind}")]
        for k, v in link.data:
            v = render._attr_value(v)
            if not _SAFE_KEY.match(k) or not _SAFE_ATTR.match(v):
                raise Decline(k)
            attrs.append((f"data-{k}", _attr(v)))
        if len({k for k, _ in attrs}) != len(attrs):
            raise Decline("an attribute twice")
        attrs.sort()
        self.out.append("<a" + "".join(f' {k}="{v}"' for k, v in attrs) + ' href="')
        self.href(render.relative_href(link.href, self.here))
        self.out.append('">' + text_html(block.text[link.start:link.end]) + "</a>")

    def heading(self, sec: Section, level: int, slug: str | None) -> None:
        """``# title`` / ``## title { #slug }``: the title with its note references, then the
        toc extension's permalink."""
        if not sec.title.strip():
            raise Decline("empty title")
        out = self.out
        opening = len(out)
        out.append("")  # the opening tag, once the id is known
        last = 0
        for ref in sorted(sec.title_refs, key=lambda r: r.offset):
            if ref.note_id in self.note_keys:
                self.text(sec.title[last:ref.offset])
                self.ref(self.note_keys[ref.note_id], -1)
                last = ref.offset
        self.text(sec.title[last:])
        strip_block_edges(out, opening + 1, self.texts)
        self.headings.append((level, opening, len(out), slug))
        out.append('<a class="headerlink" href="')
        self.href("#")  # the heading's id, once known
        out.append(f'" title="Permanent link">&para;</a></h{level}>')
        if slug is not None:
            self.ids.append(slug)


def strip_block_edges(pieces: list[str], start: int, texts: set[int], trailing: bool = True) -> None:
    """Python-Markdown strips a block's leading ASCII spaces (the only whitespace escape()
    leaves at a block's edges), and a heading's trailing ones: from the first and last text
    pieces, when they are the block's edges."""
    if start in texts:
        pieces[start] = pieces[start].lstrip(" ")
    end = len(pieces) - 1
    if trailing and end in texts:
        pieces[end] = pieces[end].rstrip(" ")


def render_page_html(section: Section, doc: Document, here: str,
                     resolve: Callable[[str], str]) -> PageHTML | None:
    """The page ``render.render_page(section, doc, here=here)`` writes, as MkDocs renders it.
    ``resolve`` is MkDocs's link rewriting (``_RelativePathTreeprocessor.path_to_url``), called
    for every href in document order, as MkDocs does; None if the page is declined (before
    ``resolve`` is called)."""
    try:
        page = _walk(section, doc, here)
    except Decline:
        return None
    return finish(page, resolve)


def _walk(section: Section, doc: Document, here: str) -> PageWriter:
    """``render.render_page``'s walk."""
    sections = list(render._walk(section))
    ids = render._assign_ids(sections)
    notes = {n.note_id: n for n in doc.notes}
    note_keys = render.page_note_keys(sections, notes)
    page = PageWriter(doc, here, note_keys, notes)
    out = page.out
    page.heading(section, 1, None)
    for sec in sections:
        if sec is not section:
            if not _SAFE_ID.match(sec.slug):
                raise Decline(sec.slug)
            out.append("\n")
            page.heading(sec, min(6, 1 + sec.level), sec.slug)
        if sec.subtitle:
            out.append(f'\n<p class="subtitle">{render.escape_attr(sec.subtitle)}</p>\n')
        if sec.meta:
            out.append("\n" + render.render_meta(sec.meta).rstrip("\n") + "\n")
        if sec is section:
            out.append("\n" + render.anchor_data(section, doc,
                                                 [b for s in sections for b in s.blocks]))
        for b in sec.blocks:
            block_html(page, b, ids.get(id(b), ""))
    if note_keys:
        footnotes(page)
    return page


def block_html(page: PageWriter, block: Block, anchor: str) -> None:
    """``render.render_block``: one block, then its connections panel."""
    out = page.out
    if block.kind is BlockKind.BREAK:
        out.append('\n<hr class="section-break">\n')
        panel(page, block, block.anchor)
        return
    anchor = block.anchor or anchor
    if not _SAFE_ID.match(anchor):
        raise Decline(anchor)
    if block.kind is BlockKind.DAMAGED:
        open_tag = f'<p class="damaged" id="{anchor}" title="damaged in the source">'
    elif block.kind is BlockKind.META:
        open_tag = f'<p class="source-meta" id="{anchor}">'
    else:
        open_tag = f'<p id="{anchor}">'
    if not block.text.strip() or block.text.lstrip(" ").startswith(("~~~", "```")):
        raise Decline("an empty or fenced block")
    quote = -1
    if block.kind is BlockKind.QUOTE and out and out[-1] == _END_QUOTE:
        # Python-Markdown puts a quote that follows a quote in the same <blockquote>
        quote = page.quotes - 1
        out[-1] = "</p>"
        out.append("\n" + open_tag)
    elif block.kind is BlockKind.QUOTE:
        quote, page.quotes = page.quotes, page.quotes + 1
        out.append("\n<blockquote>\n" + open_tag)
    else:
        out.append("\n" + open_tag)
    start = len(out)
    page.inline(block, quote)
    strip_block_edges(out, start, page.texts, trailing=False)
    out.append(_END_QUOTE if quote >= 0 else "</p>")
    page.ids.append(anchor)
    panel(page, block, anchor)


def panel(page: PageWriter, block: Block, anchor: str) -> None:
    """``render.connections_panel`` as md_in_html and the list processor make it."""
    if not block.connections or not anchor:
        return
    out = page.out
    out.append(f'\n<div class="xref-panel" data-for="{anchor}" '
               'data-pagefind-ignore="data-pagefind-ignore">\n<ul>')
    for c in block.connections:
        label = render._CONNECTION_LABELS.get(c.kind)
        label = text_html(c.kind) if label is None else label
        out.append(f"\n<li>{label.lstrip(' ')} <a href=\"")
        page.href(render.relative_href(c.href, page.here))
        note = f" — {text_html(c.note)}" if c.note else ""
        out.append(f'">{text_html(c.label)}</a>{note}</li>')
    out.append("\n</ul>\n</div>")


def footnotes(page: PageWriter) -> None:
    """The note labels div and the footnotes extension's list (backrefs: ``finish``)."""
    out = page.out
    labels = render.note_labels(page.note_keys, page.notes)
    if labels:
        out.append("\n" + labels)
    out.append('\n<div class="footnote">\n<hr />\n<ol>')
    for nid, key in page.note_keys.items():
        note = page.notes[nid]
        if not note.text.strip():
            raise Decline("an empty note")
        out.append(f'\n<li id="fn:{key}">\n<p>')
        start = len(out)
        note_html(page, note)
        strip_block_edges(out, start, page.texts)
        page.backrefs.append((key, len(out)))
        out.append("")
        out.append("</p>\n</li>")
    out.append("\n</ol>\n</div>")


def note_html(page: PageWriter, note: Note) -> None:
    """``render.note_markdown``: the note's text with its page references linked."""
    out = page.out
    refs = sorted((r for r in note.page_refs if r.line), key=lambda r: r.start)
    if not refs:
        page.text(note.text)
        return
    assert page.doc is not None  # only a person's page has none, and it has no notes
    targets = render.block_targets(page.doc)
    last = 0
    for r in refs:
        if r.line not in targets or r.start < last:
            continue
        page.text(note.text[last:r.start])
        out.append('<a class="note-page-ref" href="')
        page.href(render.relative_href(targets[r.line], page.here))
        out.append('">' + text_html(note.text[r.start:r.end]) + "</a>")
        last = r.end
    page.text(note.text[last:])


# a heading as the toc extension lists it (``nest_toc_tokens`` nests them)
_TocToken = TypedDict("_TocToken", {"level": int, "id": str, "name": str, "html": str,
                                    "data-toc-label": str})


def finish(page: PageWriter, resolve: Callable[[str], str]) -> PageHTML:
    """Fill in what depends on the whole page, as Python-Markdown's tree processors do: the
    references' ids (in the order its inline processor meets them: the top-level blocks, then
    then the quotes, breadth first), the footnotes' backrefs, the first heading's id (toc:
    unique among the page's ids), then every href through ``resolve`` in document order."""
    out = page.out
    order = [r for r in page.refs if r[1] < 0] + [r for r in page.refs if r[1] >= 0]
    found: dict[str, int] = {}
    for key, _, index in order:
        n = found.get(key, 0) + 1
        found[key] = n
        ref_id = f"fnref:{key}" if n == 1 else f"fnref{n}:{key}"
        out[index] = f'<sup id="{ref_id}"><a class="footnote-ref" href="'
        page.ids.append(ref_id)
    backrefs: dict[int, list[str]] = {}
    for key, index in page.backrefs:
        page.ids.append(f"fn:{key}")
        hrefs = [f"#fnref:{key}"] + [f"#fnref{n}:{key}" for n in range(2, found.get(key, 0) + 1)]
        backrefs[index] = hrefs
    used = set(page.ids)
    tokens: list[_TocToken] = []
    heading_ids: dict[int, str] = {}
    for level, opening, close, slug in page.headings:
        inner = "".join(out[i] for i in range(opening + 1, close)
                        if not out[i].startswith(("<sup", '">'))
                        and i not in {j for j, _ in page.hrefs}).strip()
        name = " ".join(inner.split())
        if slug is None:
            slug = unique(slugify(html.unescape(name), "-"), used, {})
            page.ids.append(slug)
        out[opening] = f'<h{level} id="{slug}">'
        heading_ids[close] = slug
        tokens.append({"level": level, "id": slug, "name": name, "html": inner,
                       "data-toc-label": ""})
    # every href in document order: links, references, permalinks, backrefs
    backref_keys = {index: key for key, index in page.backrefs}
    todo = sorted([*page.hrefs, *((i, "") for i in backref_keys)])
    for index, href in todo:
        if not href:
            key = backref_keys[index]
            out[index] = "&#160;" + "".join(_BACKREF.format(_attr(resolve(h)), page.number[key])
                                 for h in backrefs[index])
            continue
        if href == "#":
            href = "#" + heading_ids[index - 1]
        out[index] = _attr(resolve(href))
    title = tokens[0]["name"] if tokens and tokens[0]["level"] == 1 else None
    return PageHTML("".join(out).strip(), nest_toc_tokens(tokens), title, set(page.ids))


_FRONT_MATTER = re.compile(r"-{3}[ \t]*\n(.*?\n)(?:\.{3}|-{3})[ \t]*\n", re.DOTALL)  # MkDocs's
# MkDocs's own extensions (toc, tables, fenced_code) and the site's: the Markdown this module
# reproduces is read by exactly these, with these options.
EXTENSIONS = ("attr_list", "fenced_code", "footnotes", "md_in_html", "tables", "toc")
EXTENSION_CONFIGS = {"toc": {"permalink": True}}


def supported(config) -> bool:
    """True when MkDocs would read our Markdown with exactly the extensions (and options)
    this module reproduces."""
    names = [e if isinstance(e, str) else None for e in config.markdown_extensions]
    return tuple(sorted(n for n in names if n is not None)) == EXTENSIONS \
        and len(names) == len(EXTENSIONS) \
        and dict(config.mdx_configs or {}) == EXTENSION_CONFIGS


class DirectPages:
    """The generated pages whose HTML this build makes without Python-Markdown (chapters,
    transcription notes, people): each page's ``render`` is replaced (``install``) by one that
    checks the page's Markdown is what ``render.render_page``, ``report.report_markdown`` or
    ``links.person_markdown`` wrote for it, then sets what ``Page.render`` would."""

    def __init__(self, built) -> None:
        self.sections: dict[str, tuple[Section, Document]] = {}
        for doc in built.documents:
            for sec, path in render.page_paths(doc):
                self.sections[path] = (sec, doc)
        from . import report_html  # the works' transcription notes pages (report_html.py)

        self.reports = report_html.report_pages(built)
        from . import people_html  # the people's pages (people_html.py)

        self.people = people_html.people_pages(built)
        # each page's Markdown as the library made it: render_page's (report_markdown's,
        # person_markdown's), below citation front matter (tests/test_page_html.py,
        # test_report_html.py, test_people_html.py check it)
        self.sources = {p.path: p.markdown for p in built.pages if p.path in self.sections
                        or p.path in self.reports or p.path in self.people}
        self.made = 0  # pages whose HTML was made here
        self.declined = 0  # pages given to Python-Markdown after all

    @classmethod
    def start(cls, built, config, plugin) -> DirectPages | None:
        """None when the site's Markdown settings differ from the ones reproduced, or another
        plugin may change a page's Markdown (pre_page, page_read_source, page_markdown)."""
        from .parallel_render import other_listeners

        if built is None or not supported(config) or other_listeners(config, plugin):
            return None
        return cls(built)

    def install(self, page) -> bool:
        """Give ``page`` a ``render`` that makes its HTML here; False if it is not ours."""
        entry = self.sections.get(page.file.src_uri)
        report = self.reports.get(page.file.src_uri)
        person = self.people.get(page.file.src_uri)
        if entry is None and report is None and person is None:
            return False
        serial_render = page.render

        def direct_render(config, files) -> None:
            vars(page).pop("render", None)  # the class's render again (if not already)
            path = page.file.src_uri
            if not self.unchanged(page):
                self.declined += 1  # not the Markdown we made: Python-Markdown reads it
                return serial_render(config, files)
            from mkdocs.structure.pages import _RelativePathTreeprocessor
            from mkdocs.structure.pages import log as pages_log
            from mkdocs.structure.toc import get_toc

            links = _RelativePathTreeprocessor(page.file, files, config)
            if report is not None:
                from .report_html import report_page_html

                result = report_page_html(*report, links.path_to_url)
            elif person is not None:
                from .people_html import person_page_html

                result = person_page_html(person, links.path_to_url)
            else:
                assert entry is not None  # not a report's page nor a person's
                result = render_page_html(*entry, path, links.path_to_url)
            if result is None:
                self.declined += 1
                return serial_render(config, files)
            self.made += 1
            page.content = result.content
            page.toc = get_toc(result.toc_tokens)
            page._title_from_render = result.title
            page.present_anchor_ids = result.anchor_ids
            if pages_log.getEffectiveLevel() > logging.DEBUG:  # as Page.render
                page.links_to_anchors = links.links_to_anchors

        page.render = direct_render
        return True

    def unchanged(self, page) -> bool:
        """True when the page's Markdown is the one the library made for it: its file holds
        that text, and MkDocs took only front matter off it (what a page's render then reads
        is ``render.render_page``'s output). Nothing else may change it on the way: no other
        plugin listens on pre_page, page_read_source or page_markdown (``start``). Rendering
        the Markdown again to compare cost nearly as much as making the HTML (cProfile)."""
        source = self.sources.get(page.file.src_uri)
        content = page.file.content_string
        body = page.markdown
        if source is None or body is None or (content is not source and content != source):
            return False
        if not source.endswith(body):
            return False
        head = source[:len(source) - len(body)]
        if not head:
            return True
        match = _FRONT_MATTER.match(head)
        return match is not None and not head[match.end():].strip("\n")
