"""Notes: detection and pairing on small fixtures, and the per-text counts on the corpus."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest

from build_site import library, metadata, notes
from build_site.model import Block, BlockKind, Line, Note, Section

ROOT = Path(__file__).resolve().parents[1]


def _lines(texts: list[str]) -> tuple[list[Line], list[Line]]:
    """(cleaned, raw): raw keeps the page-start space, cleaned strips it."""
    raw = [Line(i, t) for i, t in enumerate(texts, start=1)]
    return [Line(ln.number, ln.text.strip()) for ln in raw], raw


PAGE = [" First page line one.", "body text goes on", "more body text.", " Second page",
        "body", "more", " Third page begins", "and ends."]


def test_star_note_cut_and_split_word_rejoined():
    clean, raw = _lines(PAGE + [
        " The workers will immediately* take advantage of it and",
        "the struggle against the masses. Under capi* My italics.—J. St.",
        " talism there are no real liberties.", "End."])
    split = notes.split_notes(clean, raw, notes.NotesConfig())
    texts = [ln.text for ln in split.lines]
    assert "the struggle against the masses. Under capitalism there are no real liberties." in texts
    assert not any("My italics" in t or "*" in t for t in texts)
    (note,) = split.notes
    assert note.text == "My italics.—J. St." and note.signature == "—J. St."
    (mark,) = split.marks
    assert mark.note_id == note.note_id and mark.context.endswith("immediately")


def test_numbered_footnote_needs_its_marker_and_uses_aliases():
    body = PAGE + [" the Cadets' on one hand and the Mensheviks 5 on", "the other hand.",
                   "'The Cadets were the party of the liberal bourgeoisie.",
                   "5 The Mensheviks were the moderate wing of the party.", " Next page."]
    clean, raw = _lines(body)
    cfg = notes.NotesConfig({"label_aliases": {"'": "4"}})
    # numbering starts at 4 on this page: pretend notes 1-3 came before
    split = notes.split_notes(clean, raw, cfg)
    assert split.notes == ()  # expected number 1 is not here: nothing is taken on trust
    body2 = [t.replace("Cadets'", "Cadets1").replace("'The", "1 The") for t in body]
    clean, raw = _lines(body2)
    split = notes.split_notes(clean, raw, notes.NotesConfig())
    assert [n.note_id for n in split.notes] == ["1"]
    assert "the Cadets on one hand" in " ".join(ln.text for ln in split.lines)


def test_endnotes_pair_by_order_and_page_with_a_missing_text():
    body = [" PREFACE", "Text of page one with a marker democracy 1 that", "goes on.",
            " Page two has the first title 2", "and a count of 46 members.", " Page three",
            "names the Curzon ultimatum, 3 which was sent.", "", "NOTES", "", "1", "",
            "The democracy note.", "p. 1", "", "2", "", "The title note.", "p. 2", ""]
    clean, raw = _lines(body)
    split = notes.split_notes(clean, raw, notes.NotesConfig())
    by_id = {n.note_id: n for n in split.notes}
    assert by_id["2"].text == "The title note." and by_id["1"].text == "The democracy note."
    assert by_id["3"].missing and by_id["3"].text == notes.MISSING_TEXT
    assert sorted(m.note_id for m in split.marks) == ["1", "2", "3"]
    text = " ".join(ln.text for ln in split.lines)
    assert "democracy that" in text and "46 members" in text and "NOTES" not in text
    assert split.counts.missing == 1 and split.counts.attached == 2


def test_bracketed_notes_scoped_to_their_letter():
    body = ["Letter one", "It is soon.[1] And later.[2]", "", "[1] First note.—Ed.",
            "[2] Second note.", "Letter two", "Another letter.[1]", "[1] Its own note."]
    clean, raw = _lines(body)
    split = notes.split_notes(clean, raw, notes.NotesConfig())
    pairs = sorted((m.line, m.note_id) for m in split.marks)
    assert pairs == [(2, "b1-1"), (2, "b1-2"), (7, "b2-1")]
    assert {n.note_id: n.signature for n in split.notes}["b1-1"] == "—Ed."


def test_inline_translator_notes_become_notes_and_glosses_stay():
    body = ["Karl Radek, now a prominent publicist [TRANSLATOR NOTE—written before the",
            "arrest of Radek] of the ruling circles [approximately 2 1/2 acres] said.",
            "the end of a paragraph.", "",
            "[Translator's note: Zinoviev and Kamenev were", "executed.]", "",
            "Next paragraph [Editor's note: one line], and on."]
    clean, raw = _lines(body)
    split = notes.split_notes(clean, raw, notes.NotesConfig())
    assert [(n.note_id, n.text, n.kind) for n in split.notes] == [
        ("i1", "TRANSLATOR NOTE—written before the arrest of Radek", "inline"),
        ("i2", "Translator's note: Zinoviev and Kamenev were executed.", "inline"),
        ("i3", "Editor's note: one line", "inline")]
    texts = [ln.text for ln in split.lines]
    assert texts[0] == ("Karl Radek, now a prominent publicist of the ruling circles "
                        "[approximately 2 1/2 acres] said.")  # one line: no short line left
    assert "Next paragraph, and on." in texts and not any("executed" in t for t in texts)
    where = {m.note_id: (m.line, m.context[-10:]) for m in split.marks}
    assert where == {"i1": (1, " publicist"), "i2": (3, "paragraph."), "i3": (8, " paragraph")}
    assert {m.note_id: m.resume for m in split.marks} == {"i1": 0, "i2": 8, "i3": 0}


def test_a_note_that_was_its_own_paragraph_keeps_the_paragraphs_around_it_apart():
    split = notes.SplitNotes((), marks=(notes.Mark(3, 12, "i2", "of a paragraph.", "", 8),))
    joined = Block(BlockKind.PARAGRAPH, "The end of a paragraph. Next paragraph, and on.", 2, 9)
    sec = Section("T", "t", blocks=(joined,), first_line=1)
    (out,), _, _ = notes.attach_notes((sec,), split, notes.NotesConfig())
    assert [(b.text, b.first_line, b.last_line) for b in out.blocks] == [
        ("The end of a paragraph.", 2, 3), ("Next paragraph, and on.", 8, 9)]
    assert out.blocks[0].refs[0].offset == len("The end of a paragraph.")


def test_attach_places_refs_in_blocks_and_titles():
    split = notes.SplitNotes((), marks=(
        notes.Mark(2, 9, "2", "democracy", " that"), notes.Mark(1, 8, "1", "A TITLE ", "")))
    sec = Section("A TITLE", "t", blocks=(Block(BlockKind.PARAGRAPH, "democracy that was", 2, 3),),
                  first_line=1)
    (out,), _, changes = notes.attach_notes((sec,), split, notes.NotesConfig())
    assert out.blocks[0].refs[0].offset == len("democracy")
    assert out.title_refs and out.title_refs[0].note_id == "1"
    assert not changes


LIB, _ = metadata.load_library(ROOT / "source")


def _split(slug: str) -> notes.SplitNotes:
    from build_site.clean import clean_lines
    from build_site.decode import decode

    meta = LIB.works[slug]
    d = decode((ROOT / "source" / slug / meta.raw_file).read_bytes(), slug)
    c = clean_lines(d.lines, library.furniture_config(meta))
    return notes.split_notes(c.lines, d.lines, library.notes_config(meta))


# (markers, note texts, attached, missing, unused) per text: the numbers in the report.
COUNTS = {"stalin-works-6": (104, 99, 99, 3, 0), "soviets-at-work": (13, 13, 13, 0, 0),
          "last-struggle-of-lenin": (16, 17, 16, 0, 1), "revolution-betrayed": (5, 5, 5, 0, 0),
          "soviet-power": (0, 0, 0, 0, 0)}


@pytest.mark.parametrize("slug", sorted(COUNTS))
def test_counts_per_text(slug: str):
    c = _split(slug).counts
    assert (c.markers, c.notes, c.attached, c.missing, c.unused) == COUNTS[slug]


def test_works_6_endnotes_each_text_once_and_the_lost_ones_missing():
    split = _split("stalin-works-6")
    end = [n for n in split.notes if n.kind == "endnote"]
    assert sorted(int(n.note_id) for n in end if n.missing) == [77, 78, 80]
    assert len([n for n in end if not n.missing]) == 77
    firsts = {n.note_id: n.text[:40] for n in end}
    assert firsts["9"].startswith("The Second All-Union Congress")
    assert firsts["53"].startswith("See Resolutions and Decisions")
    assert firsts["54"].startswith("Rabochy Korrespondent")
    assert firsts["79"].startswith("J. V. Stalin’s book On the Road")
    stars = [n for n in split.notes if n.kind == "footnote"]
    assert len(stars) == 22 and sum(n.signature == "—Tr." for n in stars) == 4
    long = next(n for n in stars if n.text.startswith("Among these legends"))
    assert "Let anybody try to refute these facts." in long.text  # ran over three pages


# -- in-volume page references -----------------------------------------------------------------
def test_volume_refs_found_in_note_text():
    n = notes.with_page_refs(Note("1", "* See this volume, p. 103.—Ed. And this volume, "
                                       "pp. 246-73.", first_line=5))
    spans = [(n.text[r.start:r.end], r.page) for r in n.page_refs]
    assert spans == [("this volume, p. 103", 103), ("this volume, pp. 246-73", 246)]
    assert notes.with_page_refs(Note("2", "See Vol. XVIII, p. 318.")).page_refs == ()


def _blk(line: int, page: str = "") -> Block:
    return Block(BlockKind.PARAGRAPH, f"text {line}", line, line + 1, page=page)


def test_page_estimate_prefers_marker_pages_and_drops_an_outlier():
    blocks = [_blk(10, "1"), _blk(50, "1"), _blk(100, "2"), _blk(150, "3")]
    # markers at line 20 on p. 5 and line 120 on p. 7; line 60 says p. 90: a misprint
    est = notes.page_estimate(blocks, [(20, 5), (60, 90), (120, 7), (140, 8)])
    assert est[0] == 1.0 and est[3] == 3.0  # outside the markers: the page map
    assert est[1] == pytest.approx(5.6) and est[2] == pytest.approx(6.6)


def test_resolve_page_first_block_on_the_page_or_a_piece_that_opens_there():
    blocks = [(_blk(10), True), (_blk(20), False), (_blk(30), False), (_blk(40), True),
              (_blk(50), False)]
    est = [4.1, 4.9, 5.3, 5.9, 6.2]
    assert notes.resolve_page(5, False, blocks, est) == 30
    assert notes.resolve_page(6, True, blocks, est) == 40  # 'pp. 6-9': the piece opening there
    assert notes.resolve_page(6, False, blocks, est) == 50
    assert notes.resolve_page(40, False, blocks, est) == 0  # not in this volume's pages


def test_rendered_note_links_the_page_and_stays_escaped():
    from build_site.model import Document, PageRef
    from build_site.render import note_markdown

    target = Block(BlockKind.PARAGRAPH, "On page nine.", 30, 31, anchor="p-7")
    doc = Document("w", (Section("Ch", "ch", is_page=True, blocks=(target,)),),
                   url_prefix="a/w")
    text = "*See this volume, p. 9.—Ed. <b>"
    note = Note("s1", text, page_refs=(PageRef(5, 22, 9, line=30),))
    md = note_markdown(note, doc, "a/w/other.md")
    assert md == "\\*See [this volume, p. 9](ch.md#p-7){ .note-page-ref }.—Ed. &lt;b&gt;"
    unresolved = Note("s2", text, page_refs=(PageRef(5, 22, 9),))
    assert "](" not in note_markdown(unresolved, doc, "a/w/other.md")


@functools.cache
def _doc(slug: str):
    return library.convert_work(slug, LIB.works[slug], *_raw(slug))


def test_works_6_volume_refs_link_the_page_they_name():
    doc = _doc("stalin-works-6")
    firsts = {}
    from build_site.report import iter_blocks

    by_line = {b.first_line: b for b in iter_blocks(doc.sections)}
    for n in doc.notes:
        for r in n.page_refs:
            firsts[n.text[r.start:r.end]] = by_line[r.line].text[:30]
    assert firsts == {"this volume, p. 103": "“The proletariat must carry to",
                      "this volume, pp. 246-73": "Comrades, I do not propose to ",
                      "this volume, pp. 315-326": "Comrades, I would like first o"}


def _raw(slug: str) -> tuple[bytes, str]:
    path = ROOT / "source" / slug / LIB.works[slug].raw_file
    return path.read_bytes(), str(path)


def test_counts_sentence_and_document_counts():
    from build_site.model import Change, NoteRef

    blk = Block(BlockKind.PARAGRAPH, "a b", 1, 1, refs=(NoteRef(1, "1"), NoteRef(3, "2")))
    sec = Section("T", "t", blocks=(blk,), title_refs=(NoteRef(1, "1"),))
    ns = (Note("1", "x", label="1"), Note("2", notes.MISSING_TEXT, missing=True, label="2"),
          Note("s0", "y", first_line=40))
    c = notes.document_counts((sec,), ns, (Change("note-marker-lost", "flagged", 9, ""),))
    assert c == notes.DocCounts(3, 2, 1, ("2",), ("* at line 40",), 1)
    assert notes.counts_sentence(c) == (
        "Notes: 3 note markers in the text; 2 note texts; 1 attached to their markers; 1 markers "
        "whose note text is missing in the source (2); 1 note texts without a marker "
        "(* at line 40); 1 markers that could not be placed again.")


# (markers placed, texts, attached, missing, unused, lost) in the finished documents: the
# numbers on each work's transcription-notes page and in `build-site explain`.
DOC_COUNTS = {"stalin-works-6": (104, 99, 99, ("77", "78", "80"), 0, 0),
              "soviets-at-work": (13, 13, 13, (), 0, 0),
              "last-struggle-of-lenin": (16, 17, 16, (), 1, 0),
              "revolution-betrayed": (5, 5, 5, (), 0, 0)}


@pytest.mark.parametrize("slug", sorted(DOC_COUNTS))
def test_document_counts_per_text(slug: str):
    from build_site import report

    doc = _doc(slug)
    c = notes.document_counts(doc.sections, doc.notes, doc.changes)
    assert (c.markers, c.notes, c.attached, c.missing, len(c.unused), c.lost) == DOC_COUNTS[slug]
    assert notes.counts_sentence(c) in report.report_text(doc)


def test_space_left_by_a_raised_figure_goes_with_it():
    body = [" PREFACE", "See Engels, The Peasant Question, 1922 ed. 1 ). He wrote", "this.",
            " Page two", "more text here.", " Page three", "and more.", "", "NOTES", "", "1",
            "", "See Frederick Engels, The Peasant Question.", "p. 1", ""]
    clean, raw = _lines(body)
    split = notes.split_notes(clean, raw, notes.NotesConfig())
    assert "See Engels, The Peasant Question, 1922 ed.). He wrote" in [ln.text for ln in split.lines]
    assert [m.note_id for m in split.marks] == ["1"]


def test_a_headings_number_without_a_note_stays_in_the_title_and_is_reported():
    """'LECTURE 3' where the text has no note 3: the 3 was read as a note marker, which the
    renderer would drop without a note; it is kept in the title and the report says so."""
    from test_robust_fuzz import META

    from build_site.library import convert_work

    doc = convert_work("t", META, b"LECTURE 3\n\nThe text of the lecture.\n", "t/raw.txt")
    assert [s.title for s in doc.sections] == ["LECTURE 3"]
    assert not doc.sections[0].title_refs
    assert [(c.rule, c.before, c.after) for c in doc.changes
            if c.rule == "heading-number"] == [("heading-number", "LECTURE", "LECTURE 3")]
