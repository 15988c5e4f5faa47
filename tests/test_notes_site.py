"""Notes on the built site: no paired marker is left in the running text as a bare number, a
bracketed number or an asterisk; what the footnotes show."""

from __future__ import annotations

import html as htmllib
import re
from functools import cache
from pathlib import Path

import pytest

from build_site import library, metadata, notes
from build_site.render import work_folder

ROOT = Path(__file__).resolve().parents[1]
LIB, _ = metadata.load_library(ROOT / "source")


@cache
def _split(slug: str) -> notes.SplitNotes:
    from build_site.clean import clean_lines
    from build_site.decode import decode

    meta = LIB.works[slug]
    d = decode((ROOT / "source" / slug / meta.raw_file).read_bytes(), slug)
    c = clean_lines(d.lines, library.furniture_config(meta))
    return notes.split_notes(c.lines, d.lines, library.notes_config(meta))


def running_text(html: str) -> str:
    """The reader's running text of a built page: the article without the note list, the
    footnote references, scripts and hidden data; tags dropped, whitespace as one space."""
    m = re.search(r"<article[^>]*>(.*)</article>", html, flags=re.DOTALL)
    body = m.group(1) if m else ""
    body = re.sub(r'<div class="footnote">.*?</div>', " ", body, flags=re.DOTALL)
    body = re.sub(r'<sup id="fnref[^"]*">.*?</sup>', "", body, flags=re.DOTALL)
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.DOTALL)
    body = re.sub(r'<div class="(?:anchor-data|xref-panel)".*?</div>', " ", body, flags=re.DOTALL)
    body = re.sub(r'<p [^>]*class="damaged".*?</p>', " ", body, flags=re.DOTALL)  # kept as is
    body = re.sub(r"<[^>]+>", "", body)
    return re.sub(r"[^\S\n]+", " ", htmllib.unescape(body).replace("\n", " ")).strip()


def _work_text(built_site: Path, slug: str) -> str:
    """The running text of a work's chapter pages (not its contents or report pages), page
    by page: no match may run from one page into the next."""
    folder = built_site / work_folder_of(slug)
    pages = [p for p in sorted(folder.rglob("*.html")) if p != folder / "index.html"
             and "transcription-notes" not in p.as_posix()]
    return " \n\n ".join(running_text(p.read_text("utf-8")) for p in pages)


def work_folder_of(slug: str) -> str:
    from build_site.model import Document

    return work_folder(Document(slug, (), url_prefix=library.work_url(slug, LIB.works[slug])))


def _printed(note_id: str) -> str | None:
    """The marker as printed, for numbered and bracketed notes ('12', 'b2-1' -> '1')."""
    m = re.fullmatch(r"(?:b\d+-)?(\d+)", note_id)
    return m.group(1) if m else None


def _context(mark: notes.Mark) -> str:
    """The words just before a marker, from a word start, at least 8 characters."""
    ctx = re.sub(r"\s+", " ", mark.context).rstrip()
    tail = ctx[-24:]
    if " " in tail[:-8]:
        tail = tail[tail.index(" ") + 1:] if tail.index(" ") < len(tail) - 8 else tail
    return tail


def test_running_text_helper_drops_the_note_apparatus():
    page = ('<article><p>democracy<sup id="fnref:2"><a class="footnote-ref" href="#fn:2">2</a>'
            '</sup> that</p><div class="footnote"><ol><li>2 The note.</li></ol></div></article>')
    assert running_text(page) == "democracy that"


@pytest.mark.parametrize("slug", ["stalin-works-6", "soviets-at-work", "last-struggle-of-lenin",
                                  "revolution-betrayed"])
def test_no_paired_marker_left_in_the_running_text(built_site, slug):
    split = _split(slug)
    text = _work_text(built_site, slug)
    ids = {n.note_id for n in split.notes}
    left, seen, checked = [], 0, 0
    for mark in split.marks:
        num = _printed(mark.note_id)
        ctx = _context(mark)
        if mark.note_id not in ids or len(ctx) < 8:
            continue
        checked += 1
        seen += ctx in text
        label = (rf"(?:\[{num}\]|{num}(?!\d))" if num else r"\[" if mark.note_id[0] == "i"
                 else r"\*{1,3}")
        found = re.search(re.escape(ctx) + r"\s?" + label, text)
        if found:
            left.append(found.group(0))
    assert checked >= 0.8 * len(split.marks)
    assert seen >= 0.9 * checked, "the contexts must be found, or this test proves nothing"
    assert not left, left


def test_no_stray_asterisk_or_bracketed_note_label_in_any_work(built_site):
    stray = []
    for slug in LIB.works:
        text = _work_text(built_site, slug)
        text = re.sub(r"\*(?: \*)+", "", text)  # a printed section break '* * *'
        stray += [(slug, text[max(0, m.start() - 30):m.end() + 10])
                  for m in re.finditer(r"\*|\[(?:TRANSLATOR|Translator|EDITOR|Editor)", text)]
    assert not stray, stray


def test_volume_page_references_link_a_paragraph_that_exists(built_site):
    links = []
    for path in sorted(built_site.rglob("*.html")):
        for href in re.findall(r'<a class="note-page-ref" href="([^"]+)"', path.read_text("utf-8")):
            page, _, frag = href.partition("#")
            target = (path.parent / page / "index.html").resolve() if page not in ("", "./") \
                else path
            assert frag and f'id="{frag}"' in target.read_text("utf-8"), href
            links.append(href)
    assert len(links) == 3  # Works 6: 'this volume, p. 103', 'pp. 246-73', 'pp. 315-326'


def test_transcription_notes_page_gives_the_note_counts(built_site):
    page = built_site / work_folder_of("stalin-works-6") / "transcription-notes" / "index.html"
    text = running_text(page.read_text("utf-8"))
    assert ("104 note markers in the text; 99 note texts; 99 attached to their markers; 3 markers "
            "whose note text is missing in the source (77, 78, 80)") in text
