"""Word accuracy and paragraph-boundary F1 of the converter against the hand-made gold sample
(tests/gold/paragraphs, 155 paragraphs from the five texts; README there says how it was made).

Word accuracy: 1 - (word-level edit distance between each gold paragraph and the block that
holds its drawn line) / (gold words). Boundary F1: each gold paragraph has a start and an end
boundary; a block starting (ending) on the same raw line is a hit, a block starting or ending
strictly inside the gold paragraph is a false boundary.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from rapidfuzz.distance import Levenshtein

from build_site.library import build_library
from build_site.model import BlockKind
from build_site.report import iter_blocks

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "tests" / "gold" / "paragraphs"


@dataclass(frozen=True)
class Score:
    words: int
    errors: int
    tp: int
    fp: int
    fn: int

    @property
    def accuracy(self) -> float:
        return 1 - self.errors / max(1, self.words)

    @property
    def f1(self) -> float:
        return 2 * self.tp / max(1, 2 * self.tp + self.fp + self.fn)

    def __add__(self, other: Score) -> Score:
        return Score(self.words + other.words, self.errors + other.errors, self.tp + other.tp,
                     self.fp + other.fp, self.fn + other.fn)


def score(gold: list[dict], blocks) -> Score:
    """Compare gold paragraphs with (first_line, last_line, text) blocks of one text."""
    total = Score(0, 0, 0, 0, 0)
    for g in gold:
        words = g["text"].split()
        hold = [b for b in blocks if b[0] <= g["line"] <= b[1]]
        got = hold[0][2].split() if hold else []
        errors = Levenshtein.distance(words, got)
        starts = {b[0] for b in blocks if g["first"] <= b[0] <= g["last"]}
        ends = {b[1] for b in blocks if g["first"] <= b[1] <= g["last"]}
        tp = (g["first"] in starts) + (g["last"] in ends)
        fp = len(starts - {g["first"]}) + len(ends - {g["last"]})
        total = total + Score(len(words), errors, tp, fp, 2 - tp)
    return total


def test_score_counts_errors_and_boundaries():
    gold = [{"line": 2, "first": 1, "last": 3, "text": "a b c d"},
            {"line": 5, "first": 4, "last": 6, "text": "e f"}]
    perfect = [(1, 3, "a b c d"), (4, 6, "e f")]
    s = score(gold, perfect)
    assert (s.accuracy, s.f1) == (1.0, 1.0)
    split = [(1, 1, "a b"), (2, 3, "c X"), (4, 6, "e f")]
    s = score(gold, split)
    assert s.errors == 3 + 0  # the block holding line 2 has 'c X' for 'a b c d'
    assert (s.tp, s.fp, s.fn) == (4, 2, 0)
    merged = [(1, 6, "a b c d e f")]
    s = score(gold, merged)
    assert (s.tp, s.fp, s.fn) == (2, 0, 2)


@pytest.fixture(scope="module")
def scores() -> dict[str, Score]:
    built = build_library(ROOT / "source")
    out = {}
    for path in sorted(GOLD.glob("*.yml")):
        doc = next(d for d in built.documents if d.slug == path.stem)
        blocks = [(b.first_line, b.last_line, b.text) for b in iter_blocks(doc.sections)
                  if b.kind is not BlockKind.BREAK]
        out[path.stem] = score(yaml.safe_load(path.read_text("utf-8")), blocks)
    return out


def test_gold_sample_is_large_enough():
    n = sum(len(yaml.safe_load(p.read_text("utf-8"))) for p in GOLD.glob("*.yml"))
    assert n >= 150 and len(list(GOLD.glob("*.yml"))) == 5


def test_word_accuracy_and_paragraph_f1_hold(scores):
    total = sum(scores.values(), Score(0, 0, 0, 0, 0))
    table = "\n".join(f"{slug}: words {s.words}, accuracy {s.accuracy:.4f}, F1 {s.f1:.3f}"
                      for slug, s in scores.items())
    print("\n" + table + f"\nall: accuracy {total.accuracy:.4f}, F1 {total.f1:.3f}")
    assert total.accuracy >= 0.995, table
    assert total.f1 >= 0.97, table
