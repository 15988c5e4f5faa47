"""The benchmark's synthetic variants (benchmarks/run.py): distinct texts, as a library's are.

A variant that repeats its original's paragraphs verbatim flatters any work that is done once
per distinct text; a variant whose corrections no longer find their passage fails to convert.
"""

from __future__ import annotations

import importlib.util
import random
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _run_module():
    spec = importlib.util.spec_from_file_location("benchmark_run", ROOT / "benchmarks" / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


RUN = _run_module()


def _chunks(text: str) -> list[str]:
    return [c for c in text.split("\n\n") if len(c) >= 80]


def test_variants_share_few_paragraphs_verbatim():
    raw = next((ROOT / "source" / "revolution-betrayed").glob("*.txt")).read_text("utf-8")
    original = set(_chunks(raw))
    variant = _chunks(RUN.vary(raw, random.Random("test"), RUN._kept_words(
        ROOT / "source" / "revolution-betrayed")))
    repeated = sum(c in original for c in variant)
    assert len(variant) > 500
    assert repeated / len(variant) < 0.10


def test_every_correction_still_finds_its_passage_once():
    for folder in (ROOT / "source").iterdir():
        rules_file = folder / "corrections.yml"
        if not rules_file.is_file():
            continue
        raw = next(folder.glob("*.txt")).read_text("utf-8")
        keep = RUN._kept_words(folder)
        for seed in range(3):
            variant = RUN.vary(raw, random.Random(f"{folder.name}-{seed}"), keep)
            for rule in yaml.safe_load(rules_file.read_text("utf-8")):
                assert raw.count(rule["find"]) == variant.count(rule["find"]) == 1, rule


def test_short_lines_are_left_alone():
    """Running heads, headings and page numbers are short lines: a variant keeps them, so that
    its furniture is still furniture."""
    text = "THE REVOLUTION BETRAYED\nshort line with some words\n" + \
        "a long line of running text with several words to replace here\n"
    pool = ["alpha", "betas"]
    out = RUN._replace_words(text, pool, frozenset(), random.Random(1), 0.5)
    assert out.splitlines()[:2] == text.splitlines()[:2]
    assert out.splitlines()[2] != text.splitlines()[2]
