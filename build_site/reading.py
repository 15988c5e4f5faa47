"""Citation metadata for the reading room: page front matter that overrides/main.html turns into
``citation_*`` meta tags, a description and a 'Chapter - Work - Author' title.

Zotero and Google Scholar read ``citation_*`` tags from the head; search engines read the
description. Values come from work.yml and the source text, so they are written with
``yaml.safe_dump`` (YAML-escaped) and the template escapes them again as HTML.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import yaml

from .model import BlockKind, Document, Page, Section
from .render import _walk, page_paths

DESCRIPTION_CHARS = 160
_SMALL = {"a", "an", "and", "as", "at", "but", "by", "for", "from", "in", "into", "nor", "of",
          "on", "or", "the", "to", "with", "against", "versus", "vs"}
_ROMAN = re.compile(r"(?i)^[ivxlcdm]+[.:,]?$")
_CAPS_WORD = re.compile(r"^[^a-z]*[A-Z][^a-z]*$")


def display_title(title: str) -> str:
    """Title case for headings the source set in capitals only for layout.

    A whole title in capitals, or a run of two or more capitalised words inside a mixed title
    ('Chapter 1: WHAT HAS BEEN ACHIEVED'), is title-cased; a lone capitalised word in a mixed
    title is taken for an acronym (USSR, NEP) and kept. Roman numerals stay in capitals.
    """
    words = title.split(" ")
    caps = [bool(_CAPS_WORD.match(w)) and sum(c.isalpha() for c in w) > 1 for w in words]
    whole = not any(c.islower() for c in title)
    out = []
    for i, w in enumerate(words):
        in_run = caps[i] and (whole or (i > 0 and caps[i - 1])
                              or (i + 1 < len(words) and caps[i + 1]))
        if not in_run or _ROMAN.match(w):
            out.append(w)
            continue
        low = w.lower()
        core = low.strip("\"'“”‘’()[],.:;!?")
        first = i == 0 or words[i - 1].endswith((":", ".", "—", "-"))
        if core in _SMALL and not first and i != len(words) - 1:
            out.append(low)
        else:
            out.append(re.sub(r"(^[\"'“‘(\[]*|[-/])([a-z])", lambda m: m[1] + m[2].upper(), low))
    return " ".join(out)


def description(sections: Iterable[Section], limit: int = DESCRIPTION_CHARS) -> str:
    """The first paragraph, cut at a word boundary: what a search result shows of the page."""
    for sec in sections:
        for b in sec.blocks:
            if b.kind in (BlockKind.PARAGRAPH, BlockKind.QUOTE) and len(b.text.split()) >= 5:
                text = " ".join(b.text.split())
                if len(text) <= limit:
                    return text
                return text[:limit].rsplit(" ", 1)[0].rstrip(",;:—-") + "…"
    return ""


def _citation_date(date: str) -> str:
    """Google Scholar's form: 1924/01/30, 1924/01 or 1924; a range gives its start."""
    return date.partition("/")[0].replace("-", "/")


def work_fields(meta, people: Mapping) -> dict:
    authors = [people[a].name for a in meta.authors if a in people]
    fields = {"citation_author": authors,
              "citation_publication_date": _citation_date(meta.date),
              "citation_language": meta.language}
    if meta.publisher:
        fields["citation_publisher"] = meta.publisher
    return fields


def with_front_matter(page: Page, fields: Mapping) -> Page:
    """Prepend YAML front matter, keeping any keys another stage already wrote there."""
    body, existing = page.markdown, {}
    match = re.match(r"---\n(.*?\n)---\n", body, re.DOTALL)
    if match:
        loaded = yaml.safe_load(match[1])
        existing = loaded if isinstance(loaded, dict) else {}
        body = body[match.end():].lstrip("\n")
    merged = {**{k: v for k, v in fields.items() if v not in ("", [], None)}, **existing}
    head = dump_front_matter(merged)
    return Page(page.path, page.title, f"---\n{head}---\n\n{body}", page.work_slug, page.extra)


# libyaml's emitter when PyYAML was built with it: several times faster than the pure-Python
# one, and the same output (tests/test_reading_dumper.py checks it on arbitrary titles) except
# for characters beyond U+FFFF, which libyaml writes as '\U0001F600' escapes, and the Unicode
# line breaks (NEL, LS, PS), which it writes as '\N', '\L', '\P': a page holding one is
# written by the pure-Python emitter.
_FAST_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


def _flat_strings(fields: Mapping) -> str | None:
    """The values' text when every value is a string or a list of strings (the citation
    fields), else None: the emitters also differ on some mapping keys, so a page's own front
    matter with mappings, numbers or nested lists goes to the Python emitter."""
    parts: list[str] = []
    for key, value in fields.items():
        if not isinstance(key, str) or not _PLAIN_KEY.fullmatch(key):
            return None
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list | tuple) or not all(isinstance(x, str) for x in items):
            return None
        parts.extend(items)
    return "".join(parts)


def dump_front_matter(fields: Mapping) -> str:
    """YAML for a page's front matter: every value quoted or escaped as YAML needs."""
    values = _flat_strings(fields)
    plain = values is not None and (not values or (
        max(values) <= "\uffff" and "\x85" not in values
        and "\u2028" not in values and "\u2029" not in values))
    dumper = _FAST_DUMPER if plain else yaml.SafeDumper
    return yaml.dump(fields, Dumper=dumper, allow_unicode=True, sort_keys=False, width=10_000)


def citation_pages(pages: Iterable[Page], docs: Mapping[str, Document], lib) -> list[Page]:
    """Every page of a work gets citation front matter; other pages pass through unchanged."""
    out = []
    for page in pages:
        doc, meta = docs.get(page.work_slug), lib.works.get(page.work_slug)
        if doc is None or meta is None:
            out.append(page)
            continue
        fields = work_fields(meta, lib.people)
        authors = ", ".join(fields["citation_author"])
        sections = {path: sec for sec, path in page_paths(doc)}
        sec = sections.get(page.path)
        work_title = display_title(meta.title)
        if sec is None:  # the work's own page
            fields |= {"citation_title": work_title,
                       "description": meta.subtitle or description(
                           s for top in doc.sections for s in _walk(top))}
            title = " - ".join(x for x in (work_title, authors) if x)
        else:
            chapter = display_title(sec.title)
            fields |= {"citation_title": chapter, "citation_inbook_title": work_title,
                       "description": description(_walk(sec))}
            parts = (chapter,) if chapter == work_title else (chapter, work_title)
            title = " - ".join(x for x in (*parts, authors) if x)
        out.append(with_front_matter(page, {"page_title": title, **fields}))
    return out
