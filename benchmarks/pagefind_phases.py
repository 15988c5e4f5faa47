"""Where Pagefind's CPU goes, and how much of it its service mode could do before the templates.

    python benchmarks/pagefind_phases.py SITE SOURCE [--cache DIR] [--repeat N]

SITE is a built site, SOURCE the library folder it was built from (its converted texts are
read from the build's cache, ``--cache``, default SOURCE/../.cache). The search records are
made from the site's pages as the build makes them (``search.library_records``) and staged in
RAM (``search._stage``), then indexed N times each way, alternately, into RAM:

- Pagefind's command, as the build runs it (``search._pagefind_command``, ``--verbose``): the
  process's CPU when it prints each phase ('[Reading languages]' ends the parsing, the only
  phase that runs on every core), and at its exit with its peak resident memory;
- Pagefind's service (``--service``, the protocol of Pagefind's Python API, spoken directly:
  the API waits 0.1 s for each reply): CPU once every record is parsed (one ``AddFile`` a
  record, in reading order), then for ``WriteFiles`` (building and writing the index).

The service's parsing could run while MkDocs renders the Markdown (the records are made then:
``article_html``), leaving only its ``WriteFiles`` after the Markdown stage. CPU seconds are
process times (user + kernel), which another load on the machine changes little; the best
and worst of the runs are printed. Not a test.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from build_site import search
from build_site.library import build_library

TICK = os.sysconf("SC_CLK_TCK")


def cpu(pid: int) -> float:
    """CPU seconds (user + kernel) of a live process."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def stage(site: Path, source: Path, cache: Path, folder: Path) -> tuple[int, int]:
    """The site's records staged in ``folder``: (records, words)."""
    built = build_library(source, cache_dir=cache)
    pages = search.search_pages(built.documents, search.work_infos(built.library))

    def read(url: str) -> str | None:
        f = search.html_file(site, url)
        return f.read_text(encoding="utf-8") if f.is_file() else None

    sizes, _ = search._stage(search.library_records(pages, read), folder)
    return len(sizes), sum(sizes)


def command_run(staged: Path, out: Path) -> dict:
    """Pagefind's command: CPU at the end of parsing and at exit, peak RSS."""
    shutil.rmtree(out, ignore_errors=True)
    t0 = time.perf_counter()
    proc = subprocess.Popen([*search._pagefind_command(), "--site", str(staged), "--output-path",
                             str(out), "--force-language", "en", "--verbose"],
                            stdout=subprocess.PIPE, text=True)
    parsed = None
    for line in proc.stdout:
        if line.startswith("[Reading languages]"):
            parsed = cpu(proc.pid)
    usage = os.wait4(proc.pid, 0)[2]
    total = usage.ru_utime + usage.ru_stime
    return {"parse": parsed, "rest": total - (parsed or 0), "total": total,
            "wall": time.perf_counter() - t0, "rss_mb": usage.ru_maxrss // 1024}


def service_run(staged: Path, out: Path) -> dict:
    """Pagefind's service: CPU for every record's AddFile, then for WriteFiles; peak RSS."""
    shutil.rmtree(out, ignore_errors=True)
    files = sorted(staged.rglob("*.html"), key=lambda p: int(p.stem))
    proc = subprocess.Popen([*search._pagefind_command(), "--service"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE)
    replies: list[dict] = []
    done = threading.Condition()

    def read() -> None:
        buf = b""
        while chunk := os.read(proc.stdout.fileno(), 1 << 16):
            *whole, buf = (buf + chunk).split(b",")
            with done:
                replies.extend(json.loads(base64.b64decode(m)) for m in whole)
                done.notify_all()

    def send(n: int, payload: dict) -> None:
        proc.stdin.write(base64.b64encode(json.dumps({"message_id": n, "payload": payload})
                                          .encode("utf-8")) + b",")

    def wait(count: int) -> None:
        with done:
            done.wait_for(lambda: len(replies) >= count)
        errors = [r for r in replies if r["payload"].get("type") == "Error"]
        if errors:
            raise RuntimeError(errors[0])

    threading.Thread(target=read, daemon=True).start()
    send(1, {"type": "NewIndex", "config": {"force_language": "en"}})
    proc.stdin.flush()
    wait(1)
    index_id = replies[0]["payload"]["index_id"]
    for n, f in enumerate(files, 2):
        send(n, {"type": "AddFile", "index_id": index_id,
                 "file_path": f.relative_to(staged).as_posix(), "url": None,
                 "file_contents": f.read_text(encoding="utf-8")})
    proc.stdin.flush()
    wait(1 + len(files))
    parsed = cpu(proc.pid)
    t0 = time.perf_counter()
    send(len(files) + 2, {"type": "WriteFiles", "index_id": index_id, "output_path": str(out)})
    proc.stdin.flush()
    wait(2 + len(files))
    wall = time.perf_counter() - t0
    proc.stdin.close()
    usage = os.wait4(proc.pid, 0)[2]
    total = usage.ru_utime + usage.ru_stime
    return {"parse": parsed, "rest": total - parsed, "total": total, "write_wall": wall,
            "rss_mb": usage.ru_maxrss // 1024}


def fragments(bundle: Path) -> set[bytes]:
    return {f.read_bytes() for f in (bundle / "fragment").iterdir()}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("site", type=Path)
    ap.add_argument("source", type=Path)
    ap.add_argument("--cache", type=Path)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    parent = search.stage_parent()
    with tempfile.TemporaryDirectory(prefix="pagefind-phases-", dir=parent) as tmp:
        staged = Path(tmp) / "all"
        staged.mkdir()
        records, words = stage(args.site, args.source,
                               args.cache or args.source.parent / ".cache", staged)
        print(f"{records} records, {words} words, staged in {tmp}")
        runs: dict[str, list[dict]] = {"command": [], "service": []}
        for _ in range(args.repeat):
            runs["command"].append(command_run(staged, Path(tmp) / "command"))
            runs["service"].append(service_run(staged, Path(tmp) / "service"))
        same = fragments(Path(tmp) / "command") == fragments(Path(tmp) / "service")
    for kind, rs in runs.items():
        cells = []
        for key in rs[0]:
            vals = [r[key] for r in rs if r[key] is not None]
            if vals:
                cells.append(f"{key} {min(vals):.2f}-{max(vals):.2f}")
        print(f"{kind:8} CPU s / MB (best-worst of {len(rs)}): " + ", ".join(cells))
    print(f"same fragments (the records' text, anchors and filters): {same}")
    print(f"load average {re.sub(' .*', '', Path('/proc/loadavg').read_text())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
