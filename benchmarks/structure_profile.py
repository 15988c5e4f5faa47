"""CPU time per conversion stage, and a cProfile of the whole one-core conversion.

Not a test: timings on a shared machine are noisy, so each figure is ``time.process_time()``
and the minimum over ``--repeat`` runs is printed. Every run is a fresh process, so the
memoised per-token decisions and wordfreq's caches start cold, as in a real build; the stage
pass and ``build_library`` run in separate processes for the same reason.

    PYTHONPATH=$PWD python benchmarks/structure_profile.py [--repeat 3] [--profile 40]

``--links SOURCE`` times the links stage alone (``link_library``) on a library such as a
benchmark corpus, from documents converted and anchored as ``build_library`` makes them (the
conversion is cached in ``--cache``, so only the first run converts):

    PYTHONPATH=$PWD python benchmarks/structure_profile.py --links \
        benchmarks/results/corpus-50x/source [--repeat 3] [--profile 40]

With ``--workers 2`` it times the stage on two cores, robustly on a busy machine: each forked
phase (the texts' reader ``_per_text``, the aligner ``_align_pairs`` or, on a larger library,
``_candidates_and_alignments_forked``) as CPU seconds of this
process and of its child, and the critical path, the stage's wall time on two free cores (this
process's CPU outside the phases plus, for each phase, the larger of the two):

    PYTHONPATH=$PWD python benchmarks/structure_profile.py --links SOURCE --workers 2

``--after SOURCE`` times the stages after conversion (anchors, links, render, citation) as
``build_library`` runs them on one core, CPU seconds per stage (``Built.timings`` read with
``time.process_time``), with the conversion taken from ``--cache`` (the first run fills it);
the later stages' own caches (a work's pages, the links memo) are removed before each run, so
they are computed (and stored); ``--warm`` keeps them, as a rebuild with nothing changed does.
``--cold`` instead runs ``build_library(SOURCE, workers=1)`` without a cache, as
benchmarks/run.py does, and also prints its CPU MB/s:

    PYTHONPATH=$PWD python benchmarks/structure_profile.py --after SOURCE [--cold|--warm] \
        [--repeat 3]

``--anchors SOURCE`` times the anchors stage alone on a library, CPU seconds: every work's
documents (from ``--cache``, as ``--links``) given their ids from their ledgers again, ledger
read included, as the conversion job does (``anchors.anchor_from_ledger``):

    PYTHONPATH=$PWD python benchmarks/structure_profile.py --anchors SOURCE [--repeat 3]

``--dump SOURCE OUT`` writes what the links stage makes of SOURCE (every block's links and
connections, its pages, counts and edges) to OUT, so that a faster stage can be diffed with the
one before it (``--workers 2`` for the stage on two cores):

    PYTHONPATH=$PWD python benchmarks/structure_profile.py --dump source /tmp/links.txt
"""
from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import resource
import shutil
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

from build_site import anchors, cache, library, links, metadata, notes, paragraphs
from build_site.clean import clean_lines
from build_site.clean.corrections import parse_corrections
from build_site.decode import decode
from build_site.library import (
    build_library,
    furniture_config,
    notes_config,
    structure_config,
    work_index_page,
)
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


def linked_input(source: Path, cache_dir: Path) -> tuple:
    """What ``build_library`` hands the links stage: anchored documents, the library, links.yml
    and each work's landing page."""
    lib, _ = metadata.load_library(source)
    jobs = [cache.Job(slug, meta.model_dump_json(), str(source / slug / meta.raw_file),
                      ledger=str(anchors.ledger_path(source, slug)),
                      cite=anchors.work_citation(lib, slug))
            for slug, meta in lib.works.items()]  # converted and anchored, as build_library does
    docs, _ = cache.convert_many(jobs, cache_dir, workers=2)
    index_paths = {slug: work_index_page(doc, lib.works[slug], lib).path
                   for slug, doc in docs.items()}
    links_file = source / "links.yml"
    config, _ = links.load_config(
        links_file.read_text("utf-8") if links_file.is_file() else None, str(links_file))
    return docs, lib, config, index_paths


def _children_cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)  # children reaped so far
    return used.ru_utime + used.ru_stime


def links_time(source: Path, cache_dir: Path, workers: int = 1) -> dict[str, float]:
    """CPU seconds of ``link_library`` alone (no memo, as before); on two cores also per
    forked phase (this process, the child) and the critical path."""
    args = linked_input(source, cache_dir)
    phases: list[tuple[str, float, float]] = []

    def timed(name, fn):
        def run(*a, **k):
            t, c = time.process_time(), _children_cpu()
            found = fn(*a, **k)
            phases.append((name, time.process_time() - t, _children_cpu() - c))
            return found
        return run

    for name in ("_per_text", "_align_pairs", "_candidates_and_alignments_forked"):
        setattr(links, name, timed(name.strip("_"), getattr(links, name)))
    t, c = time.process_time(), _children_cpu()
    links.link_library(*args, workers=workers)
    main, child = time.process_time() - t, _children_cpu() - c
    out = {"links.link_library": main}
    if workers > 1:
        out.update({"child": child, "critical path": main + sum(
            max(0.0, k - m) for _, m, k in phases)})
        for name, m, k in phases:
            out[f"{name} (this, child)"] = (m, k)
    return out


def anchors_time(source: Path, cache_dir: Path) -> dict[str, float]:
    """CPU seconds of ``anchor_from_ledger`` over every work of the library."""
    docs = linked_input(source, cache_dir)[0]
    t = time.process_time()
    for slug, doc in docs.items():
        anchors.anchor_from_ledger(doc, anchors.ledger_path(source, slug), doc.cite)
    return {"anchors.anchor_from_ledger": time.process_time() - t}


def dump_links(source: Path, cache_dir: Path, out: Path, workers: int = 1) -> None:
    """Every block's links and connections, and every page, count and edge the links stage
    makes, as text: two versions of the stage must write the same file (diff them)."""
    from build_site.anchors import anchored_blocks

    linked = links.link_library(*linked_input(source, cache_dir), workers=workers)
    with out.open("w", encoding="utf-8") as f:
        for slug, doc in linked.docs.items():
            for block in anchored_blocks(doc.sections):
                if block.links or block.connections:
                    f.write(f"{slug} {block.anchor} {block.links!r} {block.connections!r}\n")
        for page in linked.pages:
            f.write(f"page {page.path}\n{page.markdown}\n")
        f.write(f"{linked.nav!r}\n{sorted(linked.references.items())!r}\n"
                f"{sorted(linked.counts.items())!r}\n{linked.diagnostics!r}\n"
                f"{sorted(linked.edges.items())!r}\n")


def after_times(source: Path, cache_dir: Path | None, warm: bool = False) -> dict[str, float]:
    """CPU seconds of each stage of one-core ``build_library`` (conversion cached if given)."""
    library._Timer.clock = staticmethod(time.process_time)
    raw = sum(len((source / slug / meta.raw_file).read_bytes())
              for slug, meta in metadata.load_library(source)[0].works.items())
    if cache_dir is not None and not warm:
        shutil.rmtree(cache_dir / cache.PAGES, ignore_errors=True)
        for memo in cache_dir.glob("links-memo-*.pickle"):
            memo.unlink()
    t = time.process_time()
    built = build_library(source, cache_dir=cache_dir, workers=1)
    return {**dict(built.timings), "total": time.process_time() - t, "raw_bytes": raw}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--profile", type=int, default=0, help="print this many cProfile rows")
    ap.add_argument("--links", type=Path, help="time the links stage alone on this library")
    ap.add_argument("--cache", type=Path, default=Path("/tmp/structure-profile-cache"),
                    help="conversion cache for --links")
    ap.add_argument("--anchors", type=Path, help="time the anchors stage alone on this library")
    ap.add_argument("--after", type=Path, help="time the stages after conversion")
    ap.add_argument("--cold", action="store_true", help="with --after: no conversion cache")
    ap.add_argument("--warm", action="store_true", help="with --after: keep the stage caches")
    ap.add_argument("--dump", nargs=2, type=Path, metavar=("SOURCE", "OUT"),
                    help="write the links stage's output on SOURCE to OUT (to diff)")
    ap.add_argument("--workers", type=int, default=1,
                    help="with --dump or --links: the stage's workers")
    ap.add_argument("--once", choices=["stages", "build", "links", "after", "anchors"],
                    help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.once == "anchors":
        print(json.dumps(anchors_time(args.anchors, args.cache)))
        return
    if args.once:
        print(json.dumps(stage_times() if args.once == "stages" else build_time()
                         if args.once == "build" else after_times(
                             args.after, None if args.cold else args.cache, args.warm)
                         if args.once == "after" else links_time(args.links, args.cache,
                                                                   args.workers)))
        return
    if args.dump:
        dump_links(args.dump[0], args.cache, args.dump[1], args.workers)
        return
    if args.anchors:
        runs = [json.loads(subprocess.run(
            [sys.executable, __file__, "--once", "anchors", "--anchors", str(args.anchors),
             "--cache", str(args.cache)], check=True, capture_output=True, text=True)
            .stdout.strip().splitlines()[-1])["anchors.anchor_from_ledger"]
            for _ in range(args.repeat)]
        print(f"anchors.anchor_from_ledger on {args.anchors}: {min(runs):.3f} s CPU (min of "
              f"{args.repeat} fresh processes: {', '.join(f'{r:.3f}' for r in runs)})")
        return
    if args.after:
        if not args.cold:  # fill the cache (not timed)
            build_library(args.after, cache_dir=args.cache, workers=2)
        runs = []
        for _ in range(args.repeat):
            cmd = [sys.executable, __file__, "--once", "after", "--after", str(args.after),
                   "--cache", str(args.cache)] + (["--cold"] if args.cold else []) + (
                       ["--warm"] if args.warm else [])
            out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
            runs.append(json.loads(out.strip().splitlines()[-1]))
        raw = runs[0].pop("raw_bytes")
        for k in runs[0]:
            vals = [r[k] for r in runs]
            print(f"{k:10s} {min(vals):7.2f} s CPU (min of {args.repeat} fresh processes: "
                  f"{', '.join(f'{v:.2f}' for v in vals)})")
        tail = sum(min(r[k] for r in runs) for k in ("anchors", "links", "render", "citation"))
        print(f"anchors+links+render+citation {tail:.2f} s CPU (sum of the minimums)")
        if args.cold:
            best = min(r["total"] for r in runs)
            print(f"{raw / 1e6:.2f} MB raw text: {raw / 1e6 / best:.2f} MB/s CPU, one core")
        return
    if args.links:
        runs = []
        for _ in range(args.repeat):
            out = subprocess.run([sys.executable, __file__, "--once", "links", "--links",
                                  str(args.links), "--cache", str(args.cache), "--workers",
                                  str(args.workers)], check=True, capture_output=True,
                                 text=True).stdout
            runs.append(json.loads(out.strip().splitlines()[-1]))
        key = "critical path" if args.workers > 1 else "links.link_library"
        best = min(runs, key=lambda r: r[key])
        print(f"links.link_library on {args.links}, {args.workers} worker(s): {best[key]:.2f} s "
              f"{'critical path' if args.workers > 1 else 'CPU'} (min of {args.repeat} fresh "
              f"processes: {', '.join(f'{r[key]:.2f}' for r in runs)})")
        if args.workers > 1:
            print(", ".join(f"{k} {v:.2f}" if isinstance(v, float) else
                            f"{k} {v[0]:.2f}, {v[1]:.2f}" for k, v in best.items()))
        if args.profile:
            inputs = linked_input(args.links, args.cache)
            prof = cProfile.Profile()
            prof.enable()
            links.link_library(*inputs)
            prof.disable()
            pstats.Stats(prof).sort_stats("tottime").print_stats(args.profile)
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
