"""Document model -> Markdown pages. The only stage that writes Markdown.

Everything that came from a source (text, titles, names) goes through ``escape`` so that it
shows as itself: '<script>', '*', '_', '#', '[', '{{' are data, never markup. Paragraph ids are
written as attr_list lines ('{ #p-12 }') under each block; notes become Markdown footnotes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence

from . import anchors
from .model import Block, BlockKind, Document, Note, Page, Section

# Python-Markdown's ESCAPED_CHARS that can start syntax ('.' and '>' are handled apart):
# escaping any other character would leave a visible backslash.
_INLINE = re.compile(r"([\\`*_{}\[\]()#+!-])")
# Markdown reads tabs as four spaces, two trailing spaces as <br>, four leading as code; HTML
# collapses a run of whitespace to one space anyway, so one space is the same text, and safe.
_SPACE_RUN = re.compile(r"[ \t\r\n]+")
# Python-Markdown strips leading/trailing Unicode whitespace (NBSP, U+2028...) from blocks and
# uses STX/ETX as its own placeholders: written as character references they stay in the text.
_EDGE_SPACE = re.compile(r"^[^\S\x00-\x9f]+|[^\S\x00-\x9f]+$")
_CONTROL = re.compile(r"[\x02\x03]")


def _char_refs(match: re.Match) -> str:
    return "".join(f"&#{ord(c)};" for c in match.group(0))


def escape(text: str) -> str:
    """Make source text safe and literal in Markdown and HTML: it shows as itself, one line.

    '&' and '<' become entities (so no raw HTML passes through); every ASCII punctuation mark
    Markdown might read as syntax is backslash-escaped; line starts lose their meaning.
    """
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _INLINE.sub(r"\\\1", text)
    text = _SPACE_RUN.sub(" ", text)
    text = re.sub(r"^( ?\d+)\.", r"\1\\.", text)
    text = _CONTROL.sub(_char_refs, text)
    return _EDGE_SPACE.sub(_char_refs, text)


def escape_attr(text: str) -> str:
    """For text we put in raw HTML ourselves (attribute values, <dd>, subtitles): entities for
    the HTML specials, and one line, since a blank line would end Markdown's raw HTML block."""
    text = (text.replace("&", "&amp;").replace('"', "&quot;").replace("'", "&#39;")
            .replace("<", "&lt;").replace(">", "&gt;"))
    return _CONTROL.sub(_char_refs, _SPACE_RUN.sub(" ", text))


def _with_refs(block: Block, note_keys: dict[str, str]) -> str:
    """Block text escaped, with footnote references inserted at their offsets."""
    out, last = [], 0
    for ref in sorted(block.refs, key=lambda r: r.offset):
        out.append(escape(block.text[last:ref.offset]))
        if ref.note_id in note_keys:
            out.append(f"[^{note_keys[ref.note_id]}]")
        last = ref.offset
    out.append(escape(block.text[last:]))
    return "".join(out)


def render_block(block: Block, note_keys: dict[str, str]) -> str:
    body = _with_refs(block, note_keys)
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


def render_page(section: Section, doc: Document, heading_prefix: str = "") -> str:
    """One page: its title, subtitle and metadata, then its blocks and sub-sections."""
    sections = list(_walk(section))
    ids = _assign_ids(sections)
    notes = {n.note_id: n for n in doc.notes}
    note_keys: dict[str, str] = {}
    for sec in sections:
        for b in sec.blocks:
            for r in b.refs:
                if r.note_id in notes and r.note_id not in note_keys:
                    note_keys[r.note_id] = re.sub(r"[^A-Za-z0-9-]", "-", r.note_id)
    parts = [f"# {escape(section.title)}\n"]
    if section.subtitle:
        parts.append(f'<p class="subtitle">{escape_attr(section.subtitle)}</p>\n')
    parts.append(render_meta(section.meta))
    parts.append(anchor_data(section, doc, [b for sec in sections for b in sec.blocks]))
    for sec in sections:
        if sec is not section:
            level = min(6, 1 + sec.level)
            parts.append(f"{'#' * level} {escape(sec.title)} {{ #{sec.slug} }}\n")
            if sec.subtitle:
                parts.append(f'<p class="subtitle">{escape_attr(sec.subtitle)}</p>\n')
            parts.append(render_meta(sec.meta))
        for b in sec.blocks:
            if b.kind is not BlockKind.BREAK and not b.anchor:
                b = Block(b.kind, b.text, b.first_line, b.last_line, b.refs, ids[id(b)], b.page)
            parts.append(render_block(b, note_keys) + "\n")
    if note_keys:
        parts.append("")
        for nid, key in note_keys.items():
            parts.append(f"[^{key}]: {escape(notes[nid].text)}")
    return "\n".join(parts).rstrip() + "\n"


def page_paths(doc: Document) -> list[tuple[Section, str]]:
    """Every page of a work with its path relative to the docs folder."""
    out: list[tuple[Section, str]] = []

    def visit(sec: Section, folder: str) -> None:
        if sec.is_page:
            out.append((sec, f"{folder}/{sec.slug}.md"))
        for child in sec.children:
            if child.is_page:
                visit(child, f"{folder}/{sec.slug}")

    for sec in doc.sections:
        visit(sec, doc.slug)
    return out


def render_document(doc: Document) -> list[Page]:
    return [Page(path, sec.title, render_page(sec, doc), doc.slug)
            for sec, path in page_paths(doc)]


def note_text(note: Note) -> str:
    return escape(note.text)
