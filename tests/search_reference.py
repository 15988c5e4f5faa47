"""The plain reference for tests/test_search_fast_paths.py: ``search.extract_passages`` as it
was before its fast paths (commit 4416714): ``_OUTSIDE.search`` over the whole page, every
tag's attributes parsed, every text split and joined. Not used by the build."""

from __future__ import annotations

from html import unescape

from build_site.search import (
    _HEADINGS,
    _ID_CONTAINERS,
    _LEAF_BLOCKS,
    _OUTSIDE,
    _RAW_END,
    _SKIP_CLASSES,
    _SKIP_TAGS,
    _TOKEN,
    _VOID,
    Passage,
    _attrs,
)


def _space(text: str) -> str:
    return " ".join(text.split())


def extract_passages(html: str) -> list[Passage]:
    """Passages of a built MkDocs page, in reading order (pure: takes the HTML text): the text
    of each block of the page's ``<article>`` with its id, or the nearest id above it."""
    passages: list[Passage] = []
    last_id = heading = ""
    pos = 0
    while (m := _OUTSIDE.search(html, pos)) is not None:
        pos = m.end()
        opening = _TOKEN.match(html, m.start()) if m.group(2) else None
        if opening is None or opening.group(3).rstrip().endswith("/"):
            continue  # a comment, script or style, or '<article/>' (opened and closed at once)
        pos = opening.end()
        stack: list[tuple[str, bool]] = [("article", False)]  # (tag, furniture); article = 1
        skip = 0  # >0 while inside furniture
        in_notes = 0  # depth of div.footnote, 0 = outside
        block: tuple[int, str, str] | None = None  # (depth, tag, kind) being captured
        block_id = ""
        buf: list[str] = []
        while stack:
            t = _TOKEN.search(html, pos)
            end = t.start() if t is not None else len(html)
            if block is not None and not skip and end > pos:
                data = html[pos:end]
                buf.append(unescape(data) if "&" in data else data)
            if t is None:
                return passages
            pos = t.end()
            slash, tag = t.group(1), t.group(2)
            if not tag:
                continue  # a comment or declaration
            tag = tag.lower()
            if not slash:
                rest = t.group(3)
                if tag in _VOID:
                    if block is not None:
                        buf.append(" ")  # '<br>' separates words
                    continue
                a = _attrs(rest) if rest and not rest.isspace() else {}
                classes = set(a["class"].split()) if "class" in a else set()
                ident = a.get("id", "")
                furniture = bool(tag in _SKIP_TAGS or classes & _SKIP_CLASSES
                                 or "data-pagefind-ignore" in a or a.get("aria-hidden") == "true"
                                 or ident.startswith("fnref"))
                stack.append((tag, furniture))
                depth = len(stack)
                if furniture:
                    skip += 1
                else:
                    if tag == "div" and "footnote" in classes and not in_notes:
                        in_notes = depth
                    if block is None and not skip and (
                            tag in _LEAF_BLOCKS or (tag in _ID_CONTAINERS and ident)):
                        kind = ("heading" if tag in _HEADINGS else
                                "note" if in_notes or ident.startswith("fn:") else "paragraph")
                        block, block_id, buf = (depth, tag, kind), ident, []
                if rest.rstrip().endswith("/"):
                    pass  # '<tag/>': closed at once, below
                elif tag in _RAW_END:  # raw text (skipped: furniture) up to its end tag
                    close = _RAW_END[tag].search(html, pos)
                    if close is None:
                        return passages
                    pos = close.end()
                else:
                    continue
            elif tag in _VOID:
                continue
            # An end tag: pop to the matching tag (tolerates unclosed <p>/<li> as browsers do).
            while stack:
                depth = len(stack)
                open_tag, furniture = stack.pop()
                if furniture and depth > 1:
                    skip -= 1
                if block is not None and block[0] == depth:
                    text = _space("".join(buf))
                    btag, kind = block[1], block[2]
                    block = None
                    if block_id:
                        last_id = block_id
                    # An id-less list or table is furniture (link lists, contents), not text.
                    if text and (block_id or btag == "p"):
                        if kind == "heading":
                            if btag != "h1":
                                heading = text
                            passages.append(Passage(block_id, text, kind, heading))
                        else:  # a block the page gave no id opens at the nearest id above it
                            passages.append(Passage(block_id or last_id, text, kind, heading))
                if in_notes == depth:
                    in_notes = 0
                if open_tag == tag:
                    break
    return passages
