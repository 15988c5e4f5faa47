"""Document model -> Markdown pages. The only stage that writes Markdown.

Everything that came from a source (text, titles, names) goes through ``escape`` so that it
shows as itself: '<script>', '*', '_', '#', '[', '{{' are data, never markup. Paragraph ids are
written as attr_list lines ('{ #p-12 }') under each block; notes become Markdown footnotes.
"""

from __future__ import annotations

import dataclasses
import json
import posixpath
import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

from . import anchors
from .model import Block, BlockKind, Document, InlineLink, Note, NoteRef, Page, Section

# Python-Markdown's ESCAPED_CHARS that can start syntax ('.' and '>' are handled apart):
# escaping any other character would leave a visible backslash. Each is backslashed by a
# ``str.replace`` where the text holds it (the backslash first, so that the ones added are
# not doubled): a C scan for one character is many times faster than a regex's character
# class tried at every position (0.0045 against 0.0017 s CPU over the 1x corpus's texts).
_INLINE_MARKS = tuple((mark, "\\" + mark) for mark in "\\`*_{}[]()#+!-")
_NUMBER_START = re.compile(r"^( ?\d+)\.")  # '1.' opening a line would start a list
# Markdown reads tabs as four spaces, two trailing spaces as <br>, four leading as code; HTML
# collapses a run of whitespace to one space anyway, so one space is the same text, and safe.
# (A lone space is left alone: rewriting every word gap with itself cost most of the time.)
_SPACE_RUN = re.compile(r"(?: [ \t\r\n]|[\t\r\n])[ \t\r\n]*")
# Python-Markdown strips leading/trailing Unicode whitespace (NBSP, U+2028...) from blocks and
# uses STX/ETX as its own placeholders: written as character references they stay in the text.
_EDGE_SPACE = re.compile(r"^\s+|\s+$")  # the runs Markdown strips; ASCII ones may go
_CONTROL = re.compile(r"[\x02\x03]")


def _char_refs(match: re.Match) -> str:
    return "".join(f"&#{ord(c)};" for c in match.group(0))


def _unicode_space_refs(match: re.Match) -> str:
    """An edge run of whitespace with its non-ASCII spaces (which a browser shows) as
    character references; the ASCII ones a browser collapses anyway (a tab before a
    no-break space)."""
    return "".join(c if c <= "\x9f" else f"&#{ord(c)};" for c in match.group(0))


def _backslashed(match: re.Match) -> str:
    """A function, not a replacement template: re expands a template in Python for every
    match, which made this substitution twice as slow."""
    return "\\" + match.group(0)


def escape(text: str) -> str:
    """Make source text safe and literal in Markdown and HTML: it shows as itself, one line.

    '&' and '<' become entities (so no raw HTML passes through); every ASCII punctuation mark
    Markdown might read as syntax is backslash-escaped; line starts lose their meaning.
    """
    # Each replacement and pattern below is run only where it can match: most texts have none
    # of its characters, and a plain substring test is faster than a call that finds nothing
    # (escape is called for every stretch of text on every page: 74,000 times at 10x).
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    for mark, backslashed in _INLINE_MARKS:
        if mark in text:
            text = text.replace(mark, backslashed)
    if "\\]:" in text:  # '[\]: x' would be a link definition
        text = text.replace("\\]:", "\\]&#58;")
    if "\t" in text or "\n" in text or "\r" in text or "  " in text:  # what _SPACE_RUN needs
        text = _SPACE_RUN.sub(" ", text)
    if text[:1].isdigit() or text[:1] == " ":  # isdigit covers every \d
        text = _NUMBER_START.sub(r"\1\\.", text)
    if "\x02" in text or "\x03" in text:
        text = _CONTROL.sub(_char_refs, text)
    if text[:1].isspace() or text[-1:].isspace():  # what _EDGE_SPACE needs (both use \s)
        return edge_space_refs(text)
    return text


def edge_space_refs(text: str) -> str:
    """``_EDGE_SPACE.sub(_unicode_space_refs, text)`` by ``str.strip`` (which strips what
    ``\\s`` matches, ``str.isspace``): the regex tries ``\\s+$`` at every character, and a
    stretch of text before a link or a note reference mostly ends with a space (at 10x the
    corpus it was a sixth of ``render_document``)."""
    start = len(text) - len(text.lstrip())
    if start == len(text):  # all space: '^\\s+' takes it all
        return _space_refs(text)
    end = len(text.rstrip())
    return _space_refs(text[:start]) + text[start:end] + _space_refs(text[end:])


def _space_refs(space: str) -> str:
    """``_unicode_space_refs`` of a run of whitespace (empty or not)."""
    if space.isascii():
        return space
    return "".join(c if c <= "\x9f" else f"&#{ord(c)};" for c in space)


def escape_attr(text: str) -> str:
    """For text we put in raw HTML ourselves (attribute values, <dd>, subtitles): entities for
    the HTML specials, and one line, since a blank line would end Markdown's raw HTML block."""
    text = (text.replace("&", "&amp;").replace('"', "&quot;").replace("'", "&#39;")
            .replace("<", "&lt;").replace(">", "&gt;"))
    if "\t" in text or "\n" in text or "\r" in text or "  " in text:  # as in escape
        text = _SPACE_RUN.sub(" ", text)
    if "\x02" in text or "\x03" in text:
        text = _CONTROL.sub(_char_refs, text)
    return text


def relative_href(target: str, here: str) -> str:
    """A docs-relative 'a/b.md#p-1' as seen from the page ``here`` (MkDocs resolves links
    relative to the Markdown file, and validates them, anchors included)."""
    if not here:
        return target
    path, _, frag = target.partition("#")
    rel = _relpath(path, posixpath.dirname(here) or ".") if path else ""
    return rel + (f"#{frag}" if frag else "")


@lru_cache(maxsize=1 << 16)
def _relpath(path: str, start: str) -> str:
    """posixpath.relpath, remembered: a page links to the same few pages again and again, and
    relpath makes both paths absolute (asking for the working folder) every time."""
    return posixpath.relpath(path, start)


def _attr_value(text: str) -> str:
    """A value we write into an attr_list: no quote or brace may end it early, and Markdown's
    inline marks are backslash-escaped. Python-Markdown runs its inline patterns over the
    attr_list before reading it: 'a *b* c' became '<em>', and the whole '{ .xref-person
    data-...="..." }' then showed on the page as text."""
    return _ATTR_INLINE.sub(_backslashed, _ATTR_DROP.sub("", text))


_ATTR_DROP = re.compile(r'["{}\\<>&]')
_ATTR_INLINE = re.compile(r"[`*_\[\]!]")  # "(" and ")" only matter after "]"


def _link_md(block: Block, link: InlineLink, here: str) -> str:
    data = "".join(f' data-{k}="{_attr_value(v)}"' for k, v in link.data)
    href = relative_href(link.href, here)
    return f"[{escape(block.text[link.start:link.end])}]({href}){{ .xref-{link.kind}{data} }}"


def inline_events(block: Block) -> list[tuple[int, int, NoteRef | InlineLink]]:
    """A block's note references and cross-links in text order, as (offset, is_ref, item): a
    link never contains a note marker and never overlaps another link (those are dropped).
    Shared by the Markdown (``_with_refs``) and the HTML writer (page_html)."""
    refs = sorted(block.refs, key=lambda r: r.offset)
    links, end = [], 0
    for link in sorted(block.links, key=lambda k: k.start):
        if link.start >= end and link.end > link.start and not any(
                link.start < r.offset < link.end for r in refs):
            links.append(link)
            end = link.end
    return sorted([(r.offset, 1, r) for r in refs] + [(k.start, 0, k) for k in links],
                  key=lambda e: (e[0], e[1]))


def _with_refs(block: Block, note_keys: dict[str, str], here: str = "") -> str:
    """Block text escaped, with footnote references and cross-links inserted at their offsets.

    A link never contains a note marker and never overlaps another link (those are dropped)."""
    if not block.refs and not block.links:
        return escape(block.text)  # most blocks: nothing to insert
    out, last = [], 0
    for offset, is_ref, item in inline_events(block):
        out.append(escape(block.text[last:offset]))
        if is_ref:
            assert isinstance(item, NoteRef)
            if item.note_id in note_keys:
                out.append(f"[^{note_keys[item.note_id]}]")
            last = offset
        else:
            assert isinstance(item, InlineLink)
            out.append(_link_md(block, item, here))
            last = item.end
    out.append(escape(block.text[last:]))
    body = "".join(out)
    if body.lstrip(" \t").startswith("[^"):
        return _FOOTNOTE_DEF_START.sub(r"\1&#58;", body, count=1)
    return body


# '[^key]:' opening a block is a footnote definition to Markdown (the paragraph would vanish
# into a note): the colon after a marker that opens a block is written as a reference.
_FOOTNOTE_DEF_START = re.compile(r"^([ \t]*\[\^[^\]]*\]):")


def connections_panel(block: Block, here: str) -> str:
    """The paragraph's connections as a Markdown list in a div that links.js turns into a
    small panel behind an indicator; without script it reads as a short list of links."""
    if not block.connections or not block.anchor:
        return ""
    items = []
    for c in block.connections:
        note = f" — {escape(c.note)}" if c.note else ""
        items.append(f"- {_CONNECTION_LABELS.get(c.kind, escape(c.kind))} "
                     f"[{escape(c.label)}]({relative_href(c.href, here)}){note}")
    return (f'\n\n<div class="xref-panel" data-for="{block.anchor}" data-pagefind-ignore '
            f'markdown="1">\n\n' + "\n".join(items) + "\n\n</div>")


_CONNECTION_LABELS = {"quotes": "Quotes", "quoted-in": "Quoted in",
                      "also-quoted-in": "Also quoted in", "revised-in": "Revised in",
                      "revises": "Revised wording of", "referenced-in": "Referenced in",
                      "references": "Refers to", "person": "Names"}


def render_block(block: Block, note_keys: dict[str, str], here: str = "") -> str:
    body = _with_refs(block, note_keys, here)
    panel = connections_panel(block, here)
    if panel:
        return _render_block(block, body) + panel
    return _render_block(block, body)


def _render_block(block: Block, body: str) -> str:
    attr = f"\n{{ #{block.anchor} }}" if block.anchor else ""
    if block.kind is BlockKind.BREAK:
        return '<hr class="section-break">'
    if block.kind is BlockKind.QUOTE:
        return f"> {body}{attr.replace(chr(10), chr(10) + '> ')}"
    if block.kind is BlockKind.DAMAGED:
        return f"{body}\n{{ #{block.anchor} .damaged title=\"damaged in the source\" }}" \
            if block.anchor else body
    if block.kind is BlockKind.META:
        return f"{body}\n{{ {'#' + block.anchor + ' ' if block.anchor else ''}.source-meta }}"
    return body + attr


def _assign_ids(sections: Iterable[Section]) -> dict[int, str]:
    """Fallback paragraph ids, in reading order, for blocks the anchors stage did not name."""
    ids: dict[int, str] = {}
    n = 0
    for sec in sections:
        for b in sec.blocks:
            if b.kind is not BlockKind.BREAK:
                n += 1
                ids[id(b)] = b.anchor or f"p-{n}"
    return ids


def page_anchors(section: Section) -> dict[int, str]:
    """The ids render gives the blocks of a page (keyed by ``id(block)``), for the links stage."""
    return _assign_ids(_walk(section))


def _walk(section: Section) -> Iterable[Section]:
    yield section
    for child in section.children:
        if not child.is_page:
            yield from _walk(child)


def render_meta(meta: Sequence[tuple[str, str]]) -> str:
    if not meta:
        return ""
    rows = "".join(f'<div><dt>{escape_attr(k)}</dt><dd>{escape_attr(v)}</dd></div>'
                   for k, v in meta)
    return f'<dl class="work-meta">{rows}</dl>\n\n'


def anchor_data(section: Section, doc: Document, blocks: Sequence[Block]) -> str:
    """Data for docs/assets/anchors.js (retired ids landing here, print pages, citation), as
    escaped JSON in an attribute of a hidden div: search indexers never read it as text."""
    data = json.dumps(anchors.page_data(section, doc, blocks), sort_keys=True)
    return f'<div class="anchor-data" hidden data-anchors="{escape_attr(data)}"></div>\n'


def render_page(section: Section, doc: Document, heading_prefix: str = "",
                here: str = "", targets: dict[int, str] | None = None) -> str:
    """One page: its title, subtitle and metadata, then its blocks and sub-sections.
    ``targets``: ``block_targets(doc)``, when the caller has it (``note_markdown``)."""
    sections = list(_walk(section))
    ids = _assign_ids(sections)
    notes = {n.note_id: n for n in doc.notes}
    note_keys = page_note_keys(sections, notes)
    parts = [f"# {_title_with_refs(section, note_keys)}\n"]
    if section.subtitle:
        parts.append(f'<p class="subtitle">{escape_attr(section.subtitle)}</p>\n')
    parts.append(render_meta(section.meta))
    parts.append(anchor_data(section, doc, [b for sec in sections for b in sec.blocks]))
    for sec in sections:
        if sec is not section:
            level = min(6, 1 + sec.level)
            parts.append(f"{'#' * level} {_title_with_refs(sec, note_keys)} {{ #{sec.slug} }}\n")
            if sec.subtitle:
                parts.append(f'<p class="subtitle">{escape_attr(sec.subtitle)}</p>\n')
            parts.append(render_meta(sec.meta))
        for b in sec.blocks:
            if b.kind is not BlockKind.BREAK and not b.anchor:
                b = dataclasses.replace(b, anchor=ids[id(b)])
            parts.append(render_block(b, note_keys, here) + "\n")
    if note_keys:
        parts.append(note_labels(note_keys, notes))
        for nid, key in note_keys.items():
            parts.append(f"[^{key}]: {note_markdown(notes[nid], doc, here, targets)}")
    return "\n".join(parts).rstrip() + "\n"


def page_note_keys(sections: Sequence[Section], notes: dict[str, Note]) -> dict[str, str]:
    """The footnote key of each note a page refers to, in order of first reference: its id
    with what Markdown's footnote keys cannot hold as '-', and a number added when two ids
    would give one key ('a.b', 'a_b'): Markdown would make the two notes one."""
    note_keys: dict[str, str] = {}
    used: set[str] = set()
    for sec in sections:
        for r in [*sec.title_refs, *(r for b in sec.blocks for r in b.refs)]:
            if r.note_id in notes and r.note_id not in note_keys:
                key = base = re.sub(r"[^A-Za-z0-9-]", "-", r.note_id)
                n = 1
                while key in used:
                    n += 1
                    key = f"{base}-{n}"
                used.add(key)
                note_keys[r.note_id] = key
    return note_keys


def _title_with_refs(sec: Section, note_keys: dict[str, str]) -> str:
    """A heading's title escaped, with the note markers it carries ('… (B.) 1') as references."""
    out, last = [], 0
    for ref in sorted(sec.title_refs, key=lambda r: r.offset):
        if ref.note_id in note_keys:
            out.append(escape(sec.title[last:ref.offset]) + f"[^{note_keys[ref.note_id]}]")
            last = ref.offset
    out.append(escape(sec.title[last:]))
    return "".join(out)


def page_paths(doc: Document) -> list[tuple[Section, str]]:
    """Every page of a work with its path relative to the docs folder, under
    ``work_folder(doc)``: 'stalin/works-6/foundations-of-leninism/iii-theory.md'."""
    out: list[tuple[Section, str]] = []

    def visit(sec: Section, folder: str) -> None:
        # A page with sub-pages is its folder's index.md, so that navigation.indexes links
        # the nav section to it: /work/foundations-of-leninism/ then .../iii-theory/.
        subs = [c for c in sec.children if c.is_page]
        out.append((sec, f"{folder}/{sec.slug}/index.md" if subs else f"{folder}/{sec.slug}.md"))
        for child in subs:
            visit(child, f"{folder}/{sec.slug}")

    for sec in doc.sections:
        visit(sec, work_folder(doc))
    return out


def work_folder(doc: Document) -> str:
    """The docs folder of a work's pages: 'author/work' when the library set it, else its slug."""
    return doc.url_prefix or doc.slug


def url_prefix(slug: str, author: str) -> str:
    """'stalin-works-6' by 'stalin' -> 'stalin/works-6': author / work, without repeating the
    author's id that a folder name may start with."""
    return f"{author}/{slug.removeprefix(author + '-') or slug}"


def render_document(doc: Document) -> list[Page]:
    # The notes' page references read every page's paragraph ids: found once for the work,
    # not once for each such note.
    targets = block_targets(doc) if any(r.line for n in doc.notes for r in n.page_refs) \
        else None
    return [Page(path, sec.title, render_page(sec, doc, here=path, targets=targets), doc.slug)
            for sec, path in page_paths(doc)]


def note_text(note: Note) -> str:
    return escape(note.text)


def note_labels(note_keys: dict[str, str], notes: dict[str, Note]) -> str:
    """The printed numbers of the page's notes ('30' for endnote 30), for notes.js to show
    instead of the footnotes' running count: a hidden div with JSON, never read as text."""
    labels = {key: notes[nid].label for nid, key in note_keys.items() if notes[nid].label}
    if not labels:
        return ""
    data = escape_attr(json.dumps(labels, sort_keys=True))
    return f'<div class="note-labels" hidden data-labels="{data}"></div>\n'


def note_markdown(note: Note, doc: Document, here: str,
                  targets: dict[int, str] | None = None) -> str:
    """A note's text escaped, its in-volume page references ('this volume, p. 103') linked
    to the paragraph that stood on that page (resolved by the notes stage). ``targets``:
    ``block_targets(doc)``, when the caller has it."""
    refs = sorted((r for r in note.page_refs if r.line), key=lambda r: r.start)
    if not refs:
        return escape(note.text)
    if targets is None:
        targets = block_targets(doc)
    out, last = [], 0
    for r in refs:
        if r.line not in targets or r.start < last:
            continue
        out.append(escape(note.text[last:r.start]))
        out.append(f"[{escape(note.text[r.start:r.end])}]"
                   f"({relative_href(targets[r.line], here)}){{ .note-page-ref }}")
        last = r.end
    out.append(escape(note.text[last:]))
    return "".join(out)


def block_targets(doc: Document) -> dict[int, str]:
    """First raw line of each block -> 'page.md#paragraph-id' (the first block wins)."""
    out: dict[int, str] = {}
    for sec, path in page_paths(doc):
        ids = page_anchors(sec)
        for s in _walk(sec):
            for b in s.blocks:
                if b.kind is not BlockKind.BREAK and b.first_line and id(b) in ids:
                    out.setdefault(b.first_line, f"{path}#{ids[id(b)]}")
    return out
