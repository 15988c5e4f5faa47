"""Where a build's CPU goes, second by second: CPU seconds per process kind of the build's tree.

    python benchmarks/cpu_timeline.py [--sys] [--every S] -- mkdocs build -q -f CONFIG -d SITE

On two cores a build is as fast as its total CPU and how well it keeps both cores busy allow;
this shows both. Each row is one second of wall time: the CPU seconds the main process, the
forked Python workers (conversion, links, render, Markdown, templates, downloads), spawned
download workers (only where another thread runs, as under ``mkdocs serve``), the search
records' process and Pagefind used in it (2.00 = both cores busy).
``--sys`` counts kernel time only (file writes, page faults).
The build's own stage times (``.cache/last-build.json``) say which stage each second belongs
to; the last line measures the tail: the wall time after the template worker (the last forked
worker) ends, and what runs in it (Pagefind, the main process). Read from /proc (Linux); not
a test.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")


def tree(pid: int) -> list[int]:
    """``pid`` and all its descendants now."""
    kids: dict[int, list[int]] = defaultdict(list)
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            kids[int(stat.read_text().rsplit(")", 1)[1].split()[1])].append(int(stat.parent.name))
        except (OSError, ValueError, IndexError):
            pass
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(kids.get(p, ()))
    return out


def process_kind(pid: int) -> str:
    """What a process of the build is, from its command line: forked Python workers
    (conversion, links, render, Markdown, templates and downloads) keep the build's command
    line; spawned download workers (where another thread runs) are fresh interpreters; the search records' process runs
    ``build_site.search``; anything else is named by its command (pagefind_ext)."""
    cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    if b"build_site.search" in cmdline:
        return "records"
    if any(b"multiprocessing.spawn" in part for part in cmdline):
        return "spawned"
    if any(part.endswith(b"mkdocs") or part == b"build" for part in cmdline):
        return "forked"
    return Path(f"/proc/{pid}/comm").read_text().strip()


def cpu_seconds(pid: int, kernel_only: bool) -> tuple[str, float] | None:
    """(process kind, CPU seconds so far) of a process, or None once it has gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        name = process_kind(pid)
    except OSError:
        return None
    user, system = int(fields[11]), int(fields[12])
    return name, (system if kernel_only else user + system) / TICK


def sample(cmd: list[str], every: float, kernel_only: bool,
           row: float = 1.0) -> tuple[float, dict, list[tuple[float, str, float]]]:
    """Run ``cmd``; CPU seconds per (row of ``row`` seconds of wall time, process kind), and
    every sample as (seconds since the start, process kind, CPU seconds since the last)."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env)
    last: dict[int, float] = {}
    per_second: dict[int, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    samples: list[tuple[float, str, float]] = []
    while proc.poll() is None:
        now = time.perf_counter() - t0
        second = int(now / row)
        for pid in tree(proc.pid):
            got = cpu_seconds(pid, kernel_only)
            if got is None:
                continue
            name, used = got
            kind = "main" if pid == proc.pid else name
            per_second[second][kind] += used - last.get(pid, 0.0)
            samples.append((now, kind, used - last.get(pid, 0.0)))
            last[pid] = used
        time.sleep(every)
    return time.perf_counter() - t0, per_second, samples


def tail(wall: float, samples: list[tuple[float, str, float]], every: float) -> str:
    """The build's tail: the wall seconds after the last forked worker (the template worker)
    was last seen using CPU, and the CPU seconds each kind used in them (from the samples after
    it: within one sampling interval). The main process may still be writing its share of the
    pages then, and MkDocs's static files; under another load it may be far behind."""
    ends = [t for t, kind, used in samples if kind == "forked" and used > 0]
    if not ends:
        return "tail: no forked worker seen"
    start = max(ends)
    used: dict[str, float] = defaultdict(float)
    for t, kind, cpu in samples:
        if t > start + every / 2:
            used[kind] += cpu
    return (f"tail after the template worker's last CPU: {wall - start:.2f} s"
            f" wall; CPU s " + ", ".join(f"{k} {v:.2f}" for k, v in sorted(used.items())))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sys", action="store_true", help="kernel time only")
    ap.add_argument("--every", type=float, default=0.25, help="sampling interval, s")
    ap.add_argument("--row", type=float, default=1.0,
                    help="wall seconds per row (a short build reads better at 0.25)")
    ap.add_argument("cmd", nargs=argparse.REMAINDER, help="the command (after --)")
    args = ap.parse_args()
    cmd = args.cmd[1:] if args.cmd[:1] == ["--"] else args.cmd
    if not cmd:
        ap.error("give the command to run after --")
    if cmd[0] == "mkdocs":
        cmd = [sys.executable, "-m", *cmd]
    wall, per_second, samples = sample(cmd, args.every, args.sys, args.row)
    kinds = sorted({k for row in per_second.values() for k in row})
    print(f"wall {wall:.2f} s; CPU seconds ({'kernel' if args.sys else 'user + kernel'}) "
          f"per {args.row:g} s of wall time")
    print("    s " + "".join(f"{k[:12]:>13}" for k in kinds) + "        total")
    totals: dict[str, float] = defaultdict(float)
    for second in sorted(per_second):
        row = per_second[second]
        for k, v in row.items():
            totals[k] += v
        print(f"{second * args.row:5.2f} " + "".join(f"{row.get(k, 0):13.2f}" for k in kinds)
              + f"{sum(row.values()):13.2f}")
    print("  all " + "".join(f"{totals[k]:13.2f}" for k in kinds)
          + f"{sum(totals.values()):13.2f}")
    print(tail(wall, samples, args.every))
    return 0


if __name__ == "__main__":
    sys.exit(main())
