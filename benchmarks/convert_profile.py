"""Conversion throughput on one core (raw text -> Document), per text, in CPU time.

    PYTHONPATH=$PWD python benchmarks/convert_profile.py            # best of 3 runs
    PYTHONPATH=$PWD python benchmarks/convert_profile.py --repeat 1 --profile 30
    PYTHONPATH=$PWD python benchmarks/convert_profile.py --stages     # CPU per stage and fixer
    PYTHONPATH=$PWD python benchmarks/convert_profile.py --source DIR # another corpus (a
        synthetic one of benchmarks/run.py: benchmarks/results/corpus-10x/source)
    PYTHONPATH=$PWD python benchmarks/convert_profile.py --fresh 5   # fixed costs included
    PYTHONPATH=$PWD python benchmarks/convert_profile.py --instructions   # the same, counted
    PYTHONPATH=$PWD python benchmarks/convert_profile.py --library 5  # as benchmarks/run.py

CPU time (``time.process_time``) rather than wall time, and the minimum over repeats, because
the machine is shared: other processes make wall times noisy. Each repeat is a fresh process
state only for the converter's own per-text work; module-level caches (wordfreq's lists, the
general-frequency cache) stay warm after the first run, as they do in a long build. The first
run's figure (cold caches) is printed too. ``--fresh N`` runs the conversion alone in N new
processes, each after the imports, as the first conversion of a build (wordfreq's table
loaded, every memo empty) and prints each one's CPU time: what one core spends on a corpus
with the per-process costs included (benchmarks/run.py's 1x figure has them too).
``--instructions`` counts that fresh conversion's instructions under valgrind (about a minute):
the same every run, so a change of 1% shows, where CPU time varies by 5-10%. ``--library N``
measures what benchmarks/run.py's conversion figure measures, in N new processes: the whole
``build_library(source, workers=1)`` (metadata, conversion with the anchors, links, render)
after the imports, its MB/s as run.py computes it (raw MB over that call's wall seconds), the
same over its CPU seconds (what a shared machine lets one compare) and each stage's wall
seconds. Unlike ``--fresh``, its conversion runs through ``cache.convert_many``, which
freezes each document for the collector (no full collection walks them), and gives the
paragraphs their ids. Not a test: the issue's target (2 MB/s) is checked here and by
benchmarks/run.py.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import re
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from build_site import metadata
from build_site.library import convert_work


def run_once(source: Path, convert: bool = True) -> dict[str, tuple[int, float]]:
    lib, _ = metadata.load_library(source)
    out = {}
    for slug, meta in lib.works.items():
        p = source / slug / meta.raw_file
        raw = p.read_bytes()
        t = time.process_time()
        if convert:
            convert_work(slug, meta, raw, str(p))
        out[slug] = (len(raw), time.process_time() - t)
    return out


def run_library(source: Path) -> str:
    """One ``build_library(source, workers=1)`` as benchmarks/run.py times it: a line with
    its MB/s (raw MB over the call's wall seconds, and over its CPU seconds) and stages' wall
    seconds."""
    from build_site.library import build_library

    raw_mb = _raw_mb(source)
    cpu, wall = time.process_time(), time.perf_counter()
    built = build_library(source, workers=1)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    if built.errors:
        raise SystemExit("conversion errors:\n" + "\n".join(map(str, built.errors[:20])))
    stages = " ".join(f"{k} {v:.3f}" for k, v in built.timings if v >= 0.0005)
    return (f"{raw_mb / wall:.2f} MB/s ({wall:.3f} s wall), {raw_mb / cpu:.2f} MB/s of CPU "
            f"({cpu:.3f} s); stages, s wall: {stages}")


def _instructions(source: Path, extra: list[str]) -> int:
    """Instructions that valgrind's callgrind counts for a new process that converts the
    corpus once (``--once``) or only imports and reads it (``--imports-only``): the difference
    is the conversion's, deterministic where CPU time on a shared machine is not (the hash
    seed is fixed, so that set orders, and the work they lead to, repeat)."""
    python = Path(sys.executable).resolve()  # (not a shim script: valgrind follows no exec)
    run = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", str(python),
         __file__, "--source", str(source), *(extra or ["--once"])],
        check=True, capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": "0"})
    return int(re.search(r"Collected : (\d+)", run.stderr).group(1))


def _raw_mb(source: Path) -> float:
    lib, _ = metadata.load_library(source)
    return sum((source / slug / meta.raw_file).stat().st_size
               for slug, meta in lib.works.items()) / 1e6


def timed_stages() -> dict[str, float]:
    """Wrap the converter's stages and the cleaner's fixers so that each adds its CPU time to
    the returned dict (a measuring aid only: it patches module attributes in this process)."""
    from build_site import clean, library

    spent: dict[str, float] = defaultdict(float)

    def wrap(f, label):
        def timed(*a, **k):
            t = time.process_time()
            try:
                return f(*a, **k)
            finally:
                spent[label] += time.process_time() - t
        return timed

    clean.FIXERS = tuple(wrap(f, f"clean: {f.__name__}") for f in clean.FIXERS)
    clean.WORD_FIXERS = tuple(wrap(f, f"clean: {f.__name__}") for f in clean.WORD_FIXERS)
    for name in ("build_vocabulary", "repair_ocr", "apply_corrections", "page_map"):
        setattr(clean, name, wrap(getattr(clean, name), f"clean: {name}"))
    for name in ("decode", "clean_lines", "segment"):
        setattr(library, name, wrap(getattr(library, name), name))
    for name in ("split_notes", "attach_notes"):
        setattr(library.notes, name, wrap(getattr(library.notes, name), f"notes.{name}"))
    library.paragraphs.with_pages = wrap(library.paragraphs.with_pages, "paragraphs.with_pages")
    return spent


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--source", type=Path, default=ROOT / "source")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--profile", type=int, default=0, help="print the top N cProfile entries")
    ap.add_argument("--stages", action="store_true", help="CPU time per stage and fixer")
    ap.add_argument("--fresh", type=int, default=0,
                    help="CPU time of the first conversion in N new processes")
    ap.add_argument("--instructions", action="store_true",
                    help="instructions of a fresh process's conversion (valgrind's callgrind)")
    ap.add_argument("--library", type=int, default=0,
                    help="build_library(workers=1) as benchmarks/run.py times it, N new processes")
    ap.add_argument("--once", action="store_true", help=argparse.SUPPRESS)  # (--fresh's child)
    ap.add_argument("--library-once", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--imports-only", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.imports_only:
        run_once(args.source, convert=False)
        return
    if args.once:
        print(sum(t for _, t in run_once(args.source).values()))
        return
    if args.library_once:
        print(run_library(args.source))
        return
    if args.library:
        for _ in range(args.library):
            print(subprocess.run(
                [sys.executable, __file__, "--library-once", "--source", str(args.source)],
                check=True, capture_output=True, text=True).stdout.strip())
        return
    if args.instructions:
        total, imports = (_instructions(args.source, extra) for extra in ([], ["--imports-only"]))
        print(f"fresh conversion: {(total - imports) / 1e9:.3f} G instructions "
              f"(process {total / 1e9:.3f} G, of which imports and reading {imports / 1e9:.3f} G)")
        return
    if args.fresh:
        raw_mb = _raw_mb(args.source)
        secs = [float(subprocess.run(
            [sys.executable, __file__, "--once", "--source", str(args.source)],
            check=True, capture_output=True, text=True).stdout) for _ in range(args.fresh)]
        print("fresh processes, s CPU: " + " ".join(f"{s:.3f}" for s in secs))
        print(f"least {min(secs):.3f} s CPU, {raw_mb / min(secs):.2f} MB/s of {raw_mb:.3f} MB")
        return
    if args.stages:
        # Each figure is the least of --repeat runs (warm: wordfreq's table, caches shared by
        # texts), stage by stage; MB/s of raw text through each stage alone.
        raw_mb = sum(b for b, _ in run_once(args.source).values()) / 1e6
        spent = timed_stages()
        best: dict[str, float] = {}
        for _ in range(args.repeat):
            spent.clear()
            t = time.process_time()
            run_once(args.source)
            spent["all stages"] = time.process_time() - t
            best = {k: min(v, best.get(k, v)) for k, v in spent.items()}
        for label, sec in sorted(best.items(), key=lambda kv: -kv[1]):
            print(f"{label:40} {sec:6.3f} s CPU {raw_mb / max(sec, 1e-9):8.2f} MB/s")
        return
    if args.profile:
        prof = cProfile.Profile()
        prof.runcall(run_once, args.source)
        st = pstats.Stats(prof)
        st.sort_stats("cumulative").print_stats(args.profile)
        st.sort_stats("tottime").print_stats(args.profile)
        return
    runs = [run_once(args.source) for _ in range(args.repeat)]
    total_b = sum(b for b, _ in runs[0].values())
    first = sum(t for _, t in runs[0].values())
    best: dict[str, float] = {s: min(r[s][1] for r in runs) for s in runs[0]}
    for slug, (b, _) in runs[0].items():
        print(f"{slug:28} {b / 1e6:6.3f} MB {best[slug]:6.3f} s CPU "
              f"{b / 1e6 / max(best[slug], 1e-9):6.2f} MB/s")
    tot = sum(best.values())
    print(f"{'total (best per text)':28} {total_b / 1e6:6.3f} MB {tot:6.3f} s CPU "
          f"{total_b / 1e6 / tot:6.2f} MB/s")
    print(f"{'first run (cold caches)':28} {total_b / 1e6:6.3f} MB {first:6.3f} s CPU "
          f"{total_b / 1e6 / first:6.2f} MB/s")


if __name__ == "__main__":
    main()
