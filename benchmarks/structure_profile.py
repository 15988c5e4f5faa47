"""CPU time per conversion stage, and a cProfile of the whole one-core conversion.

Not a test: timings on a shared machine are noisy, so each figure is ``time.process_time()``
and the minimum over ``--repeat`` runs is printed. Every run is a fresh process, so the
memoised per-token decisions and wordfreq's caches start cold, as in a real build; the stage
pass and ``build_library`` run in separate processes for the same reason.

    PYTHONPATH=$PWD python benchmarks/structure_profile.py [--repeat 3] [--profile 40]
"""
from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

from build_site import metadata, notes, paragraphs
from build_site.clean import clean_lines
from build_site.clean.corrections import parse_corrections
from build_site.decode import decode
from build_site.library import (build_library, furniture_config, notes_config,
                                structure_config)
from build_site.render import render_document
from build_site.segment import segment

SOURCE = Path("source")


def stage_times() -> dict[str, float]:
    """The steps of ``library.convert_work`` over the library, timed one by one."""
    lib, _ = metadata.load_library(SOURCE)
    times: dict[str, float] = defaultdict(float)

    def timed(name, fn, *args, **kwargs):
        t = time.process_time()
        out = fn(*args, **kwargs)
        times[name] += time.process_time() - t
        return out

    docs = []
    for slug, meta in lib.works.items():
        path = SOURCE / slug / meta.raw_file
        decoded = timed("decode", decode, path.read_bytes(), str(path))
        corr_file = path.with_name("corrections.yml")
        corr, _ = parse_corrections(
            corr_file.read_text("utf-8") if corr_file.is_file() else None, str(corr_file))
        cleaned = timed("clean", clean_lines, decoded.lines, furniture_config(meta),
                        corrections=corr, corrections_path=str(corr_file))
        split = timed("notes.split_notes", notes.split_notes, cleaned.lines, decoded.lines,
                      notes_config(meta))
        sections, _ = timed("segment", segment, split.lines,
                            structure_config(meta, str(path.with_name("work.yml"))), meta.title)
        sections = timed("paragraphs.with_pages", paragraphs.with_pages, sections,
                         cleaned.page_of)
        docs.append(timed("notes.attach_notes", notes.attach_notes, sections, split,
                          notes_config(meta)))
    built = build_library(SOURCE, workers=1)  # for render's input (timings are warm here)
    t = time.process_time()
    for doc in built.documents:
        render_document(doc)
    times["render.render_document"] = time.process_time() - t
    return dict(times)


def build_time() -> dict[str, float]:
    """``build_library`` on one core, no cache: what benchmarks/run.py calls conversion."""
    raw = sum(len((SOURCE / slug / meta.raw_file).read_bytes())
              for slug, meta in metadata.load_library(SOURCE)[0].works.items())
    t = time.process_time()
    build_library(SOURCE, workers=1)
    return {"build_library (1 core, cold)": time.process_time() - t, "raw_bytes": raw}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--profile", type=int, default=0, help="print this many cProfile rows")
    ap.add_argument("--once", choices=["stages", "build"], help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.once:
        print(json.dumps(stage_times() if args.once == "stages" else build_time()))
        return
    best: dict[str, float] = {}
    for _ in range(args.repeat):
        for mode in ("stages", "build"):
            out = subprocess.run([sys.executable, __file__, "--once", mode], check=True,
                                 capture_output=True, text=True).stdout
            for k, v in json.loads(out.strip().splitlines()[-1]).items():
                best[k] = min(v, best.get(k, v))
    raw = best.pop("raw_bytes")
    for k, v in best.items():
        print(f"{k:32s} {v:6.2f} s CPU (min of {args.repeat} fresh processes)")
    whole = best["build_library (1 core, cold)"]
    print(f"{raw / 1e6:.2f} MB raw text: {raw / 1e6 / whole:.2f} MB/s CPU for build_library")
    if args.profile:
        prof = cProfile.Profile()
        prof.enable()
        build_library(SOURCE, workers=1)
        prof.disable()
        pstats.Stats(prof).sort_stats("cumulative").print_stats(args.profile)


if __name__ == "__main__":
    main()
