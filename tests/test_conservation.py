"""Conservation: every word of each raw text is in the published text or accounted for in
the cleaning report as part of a named artifact; the reflowing fixers keep every letter."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from build_site import metadata
from build_site.clean import clean_lines
from build_site.clean.furniture import FurnitureConfig
from build_site.decode import decode
from build_site.library import build_library
from build_site.model import BlockKind, Change, Document, Line, Section
from build_site.paragraphs import make_block
from build_site.report import reflow_violations, unaccounted_words

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "source"


@pytest.fixture(scope="module")
def built():
    return build_library(SOURCE)


def _raw(slug: str) -> tuple[Line, ...]:
    lib, _ = metadata.load_library(SOURCE)
    return decode((SOURCE / slug / lib.works[slug].raw_file).read_bytes(), slug).lines


SLUGS = sorted(p.name for p in SOURCE.iterdir() if (p / "work.yml").is_file())


def test_there_are_five_texts():
    assert len(SLUGS) == 5


@pytest.mark.parametrize("slug", SLUGS)
def test_cleaner_accounts_for_every_word(slug):
    """The cleaning stage alone: raw words = kept words + words of its own changes."""
    lib, _ = metadata.load_library(SOURCE)
    from build_site.library import furniture_config

    raw = _raw(slug)
    cleaned = clean_lines(raw, furniture_config(lib.works[slug]))
    blocks = tuple(make_block([ln])[0] for ln in cleaned.lines if ln.text)
    doc = Document(slug, (Section("x", "x", blocks=blocks),), (), cleaned.changes)
    missing = unaccounted_words(raw, doc)
    assert not missing, f"{sum(missing.values())} words unaccounted for: {dict(missing)}"
    assert reflow_violations(cleaned.changes) == []


@pytest.mark.parametrize("slug", SLUGS)
def test_published_text_accounts_for_every_word(built, slug):
    """The whole pipeline: every raw word is on the site or in the Transcription notes."""
    doc = next(d for d in built.documents if d.slug == slug)
    missing = unaccounted_words(_raw(slug), doc)
    assert not missing, f"{sum(missing.values())} words unaccounted for: {dict(missing)}"
    assert reflow_violations(doc.changes) == []


def test_the_check_catches_a_silently_dropped_word():
    raw = (Line(1, "alpha beta gamma"), Line(2, "delta"))
    kept = Document("t", (Section("x", "x", blocks=(make_block([Line(1, "alpha gamma")])[0],)),))
    assert unaccounted_words(raw, kept) == Counter({"beta": 1, "delta": 1})
    reported = Document("t", kept.sections, (), (
        Change("debris", "dropped", 2, "delta"), Change("ocr", "changed", 1, "beta", "")))
    assert unaccounted_words(raw, reported) == Counter()


def test_reflow_check_catches_a_changed_letter():
    ok = Change("line-break-hyphen", "joined", 1, "ob- / stacles", "obstacles")
    bad = Change("dash", "changed", 1, "a-b", "a—c")
    assert reflow_violations([ok, bad]) == [bad]


def test_damaged_blocks_are_in_the_report(built):
    from build_site.report import damaged_changes, iter_blocks

    doc = next(d for d in built.documents if d.slug == "revolution-betrayed")
    damaged = [b for b in iter_blocks(doc.sections) if b.kind is BlockKind.DAMAGED]
    assert damaged, "the survey lists garbled passages in this text"
    assert len(damaged_changes(doc)) == len(damaged)
    unused = FurnitureConfig()
    assert unused.watermarks == ()
