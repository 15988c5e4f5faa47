"""The cleaning report: counts and entries by kind, the Transcription notes page linked from
the work, and ``build-site explain``."""

from __future__ import annotations

from pathlib import Path

from build_site.cli import main
from build_site.model import Block, BlockKind, Change, Document, Section
from build_site.report import report_markdown, report_sections, report_text, transcription_page

DOC = Document("w", (Section("T", "t", blocks=(
    Block(BlockKind.PARAGRAPH, "Plain text.", 1, 1),
    Block(BlockKind.DAMAGED, "qzx vbnm wrtp", 5, 6))),), (), (
    Change("running-head", "dropped", 3, "A HEAD", "", "running head"),
    Change("running-head", "dropped", 4, "12", "", "page number"),
    Change("line-break-hyphen", "joined", 7, "har- / bour", "harbour", "joined word is known"),
    Change("ocr", "changed", 8, "gard~n", "garden", "OCR misreading"),
    Change("correction", "changed", 9, "teh", "the", "misprint checked against the page"),
    Change("debris", "dropped", 10, "x|y<script>", "", "speck"),
))


def test_sections_group_by_kind_with_counts():
    secs = {s.rule: s for s in report_sections(DOC)}
    assert secs["running-head"].counts()["dropped"] == 2
    assert secs["damaged"].counts()["flagged"] == 1
    assert set(secs) == {"running-head", "line-break-hyphen", "ocr", "correction", "debris",
                         "damaged"}


def test_markdown_lists_every_change_and_escapes_source_text():
    md = report_markdown(DOC, "A Work")
    assert md.startswith("# Transcription notes: A Work")
    for line in (3, 4, 7, 8, 9, 10, 5):
        assert f"| {line} |" in md
    assert "<script>" not in md and "x\\|y" in md


def test_text_report_for_explain():
    text = report_text(DOC)
    assert "Running heads and page numbers [running-head]: dropped 2" in text
    assert "line 8: changed: 'gard~n' -> 'garden'" in text


def test_page_sits_beside_the_work_index():
    page = transcription_page(DOC, "A Work", "author/w/index.md")
    assert page.path == "author/w/transcription-notes.md"


def test_explain_prints_the_report(capsys):
    root = Path(__file__).resolve().parents[1]
    assert main(["--source", str(root / "source"), "explain", "soviets-at-work"]) == 0
    out = capsys.readouterr().out
    assert "Running heads and page numbers [running-head]: dropped 5" in out
    assert "line 543: dropped: '21'  (page number)" in out


def test_site_has_transcription_notes_linked_from_each_work(built_site: Path):
    notes = sorted(built_site.rglob("transcription-notes/index.html"))
    assert len(notes) == 5
    for page in notes:
        index = page.parent.parent / "index.html"
        assert 'href="transcription-notes/"' in index.read_text("utf-8"), index
        assert "Transcription notes" in page.read_text("utf-8")
