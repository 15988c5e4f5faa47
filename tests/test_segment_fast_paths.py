"""The segmenter's walk asks ``try_heading`` only of the lines that can start a heading where
they stand (``_Builder.plain_lines``): the sections it builds are those of the walk that asks
every line (issue 11, conversion throughput). Speed is measured by
benchmarks/convert_profile.py, never here."""

from __future__ import annotations

import random
from pathlib import Path
from unittest.mock import patch

from build_site import library, metadata, notes, segment
from build_site.clean import clean_lines
from build_site.clean.corrections import parse_corrections
from build_site.decode import decode
from build_site.model import Line
from build_site.segment import StructureConfig, _Builder

ROOT = Path(__file__).resolve().parents[1]


class _Everything:
    def __contains__(self, _: object) -> bool:
        return True


def _both_walks(lines, cfg, title):
    """(sections, changes) of the walk as it is, and of the walk that asks every line: there
    every line starts as a chapter line may (so the chapter pattern, too, is tried on every
    line, as it was)."""
    fast = _Builder(lines, cfg, title, frozenset()).run()
    with patch.object(segment, "_CHAPTER_STARTS", _Everything()):
        plain = _Builder(lines, cfg, title, frozenset()).run()
    return fast, plain


def test_every_line_asked_or_not_on_the_seed_texts():
    lib, _ = metadata.load_library(ROOT / "source")
    skipped = 0
    for slug, meta in lib.works.items():
        raw_path = ROOT / "source" / slug / meta.raw_file
        corr_file = raw_path.with_name("corrections.yml")
        corr, _ = parse_corrections(
            corr_file.read_text("utf-8") if corr_file.is_file() else None, str(corr_file))
        decoded = decode(raw_path.read_bytes(), str(raw_path))
        cleaned = clean_lines(decoded.lines, library.furniture_config(meta), corrections=corr)
        split = notes.split_notes(cleaned.lines, decoded.lines, library.notes_config(meta))
        cfg = library.structure_config(meta, str(raw_path.with_name("work.yml")))
        (items, changes), (items2, changes2) = _both_walks(split.lines, cfg, meta.title)
        assert items == items2 and changes == changes2, slug
        skipped += _Builder(split.lines, cfg, meta.title, frozenset()).plain_lines
    assert skipped >= 2  # works without heading patterns of their own take the short way


def test_every_line_asked_or_not_on_generated_lines():
    """Chapter lines and section numbers inside a sentence (a number after a line with no
    final stop is a heading when it is the chapter's next section), and works with heading
    patterns of their own that match there (on lines that start as no chapter line or
    number does)."""
    rng = random.Random(19)
    pieces = ["Chapter 3", "CHAPTER IV", "Part", "Book II", "Appendix", "2.", "12.", "3)",
              "The workers met.", "and the party said", "IV.", "THE STATE AND REVOLUTION",
              "Written: 1917", "Is the bureaucracy a ruling class?", "", "", "* * *",
              "Back to Chapter 2 On to Chapter 4", " 4.", "of the", "March 5, 1923",
              "Chapter 1\n\nand the text runs on\n1.\n\nIs the state a class?\n",
              "and then\n2.\n\nWhat is to be done?\n", "and the\nNotes of Days\nwent on",
              "the year\nYear 1924\nbegan", "and the lost\nZUSATZ\nwords"]
    configs = [StructureConfig(), StructureConfig(headings=(("^Notes of", 2),)),
               StructureConfig(not_headings=("^THE STATE",)),
               StructureConfig(lost_titles=(("ZUSATZ", "Addendum", 1),)),
               StructureConfig(chronicle=("^Year 1924$", "Chronicle"))]
    changed = 0
    for seed in range(300):
        texts = "\n".join(rng.choice(pieces) for _ in range(rng.randint(5, 40))).split("\n")
        lines = [Line(k + 1, t) for k, t in enumerate(texts)]
        for cfg in configs:
            fast, plain = _both_walks(lines, cfg, "A Work")
            assert fast == plain, (seed, cfg)
            changed += fast != _Builder(lines, StructureConfig(), "A Work", frozenset()).run()
    assert changed > 100  # the works' own patterns made other headings here
