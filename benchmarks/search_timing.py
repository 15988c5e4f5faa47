"""Benchmark: what a reader's first search costs, in headless Chromium.

    python benchmarks/search_timing.py SITE_DIR [--repeat N] [--detail]

For each query, a fresh browser context (empty cache) opens the home page, waits until the
network is idle, presses '/', types the query (one key event per character, no delay) and
waits for the first result of that whole query in the open results list. Time: in-page
``performance.now()`` from the '/' keydown to the first result element of the typed query
being inserted, so the Python side's latency does not count. Bytes: the body size of every
request started after the '/' and finished before that moment, from the browser's network
events (the test server does not compress, so JavaScript counts uncompressed; Pagefind's own
files are compressed already). Issue 8's targets: under 400 KB and under 1 s at every corpus
size. A second figure, ``wire_kb``, is what the same requests cost from a host that gzips
text responses (GitHub Pages, Netlify): each fetched text file (JavaScript, JSON, CSS, HTML)
counted at its gzip size (level 6), every other file (Pagefind's index, fragments and
WebAssembly, gzipped by Pagefind already) as it is. The machine is shared: use --repeat and
read the best run. Not a test: a benchmark, run by benchmarks/run.py and by hand.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import json
import shutil
import sys
import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit

# Files a static host serves gzipped (by their type); Pagefind's own files are gzip already.
TEXT_SUFFIXES = {".js", ".mjs", ".json", ".css", ".html", ".svg", ".txt", ".xml"}
QUERIES = ("revolution", "dictatorship of the proletariat", '"the peasant question"')
TIMEOUT_MS = 60_000

# Installed before '/' is pressed: marks the keydown time, then watches the results list for
# the first hit rendered for the final query (search.js sets data-query when it renders).
_WATCH = """(query) => {
  window.__bench = { t0: null, t1: null, query };
  window.addEventListener("keydown", (e) => {
    if (e.key === "/" && window.__bench.t0 === null) window.__bench.t0 = performance.now();
  }, true);
  const check = () => {
    const list = document.getElementById("library-search-results");
    if (window.__bench.t1 === null && list && list.dataset.query === query &&
        list.querySelector(".library-search__hit")) {
      window.__bench.t1 = performance.now();
    }
  };
  new MutationObserver(check).observe(document.body,
    { subtree: true, childList: true, attributes: true, attributeFilter: ["data-query"] });
}"""

_TIMES = """() => ({ t0: performance.timeOrigin + window.__bench.t0,
  t1: performance.timeOrigin + window.__bench.t1,
  count: +(document.getElementById("library-search-results").dataset.count || 0) })"""


@functools.cache
def wire_size(site: Path, url: str, size: int) -> int:
    """Bytes over the wire for a response of ``size`` bytes from a host that gzips text: the
    gzip size of the served file for a text type, else ``size``."""
    path = unquote(urlsplit(url).path)
    f = site / path.lstrip("/")
    if path.endswith("/"):
        f = f / "index.html"
    if f.suffix not in TEXT_SUFFIXES or not f.is_file():
        return size
    return min(size, len(gzip.compress(f.read_bytes(), compresslevel=6)))


def _fetched(requests: list, t0: float, t1: float, log: list | None = None,
             site: Path | None = None) -> tuple[int, int, int, int, int]:
    """(bytes, requests) finished by ``t1``, and (bytes, requests) in all, of the requests
    started after ``t0`` (epoch ms), and the bytes finished by ``t1`` as a gzipping host
    sends them (``wire_size``; = bytes without ``site``). Pagefind fetches from a Web Worker,
    which the page's Resource Timing does not see: the browser's own network events do."""
    first = [0, 0, 0]
    total = [0, 0]
    for req in requests:
        timing = req.timing
        start = timing["startTime"]
        if start < t0 or req.failure:
            continue
        response = req.response()
        # The test server does not compress; a worker script's body size is not reported.
        size = int((response.headers.get("content-length") if response else None)
                   or req.sizes()["responseBodySize"])
        total[0] += size
        if log is not None:
            log.append((round(start - t0), round(start + timing["responseEnd"] - t0),
                        round(size / 1024, 1), req.url.rsplit("/", 2)[-2:]))
        total[1] += 1
        if start + timing["responseEnd"] <= t1:
            first[0] += size
            first[1] += 1
            first[2] += wire_size(site, req.url, size) if site is not None else size
    return first[0], first[1], total[0], total[1], first[2]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def _normalise(query: str) -> str:
    """The query as search.js shows it (typographic quotes straightened, spaces collapsed)."""
    return " ".join(query.split())


def measure(site: Path, queries: tuple[str, ...] = QUERIES, repeat: int = 1,
            detail: bool = False) -> dict:
    """First-query cost of the site's search box: the worst query's KB (uncompressed, and over
    the wire from a gzipping host) and seconds, and each query's figures (with ``repeat`` > 1,
    each query's best run: the machine is shared)."""
    from playwright.sync_api import sync_playwright

    site = Path(site)
    handler = functools.partial(_Quiet, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    per_query: dict[str, dict] = {}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=shutil.which("chromium"), headless=True,
                args=["--no-sandbox", "--disable-background-networking"])
            for query in queries:
                runs = []
                for _ in range(repeat):
                    context = browser.new_context()  # empty cache: a first visit
                    page = context.new_page()
                    page.goto(url, wait_until="networkidle")
                    page.evaluate(_WATCH, _normalise(query))
                    done: list = []

                    def finished(request, done: list = done) -> None:  # this run's list, bound now
                        done.append(request)

                    page.on("requestfinished", finished)
                    page.keyboard.press("/")
                    page.keyboard.type(query)
                    page.wait_for_function("() => window.__bench.t1 !== null",
                                           timeout=TIMEOUT_MS)
                    page.wait_for_timeout(500)  # in-flight fetches finish, for the total
                    times = page.evaluate(_TIMES)
                    log: list | None = [] if detail else None
                    first, first_n, total, total_n, wire = _fetched(
                        done, times["t0"], times["t1"], log, site)
                    runs.append({"seconds": (times["t1"] - times["t0"]) / 1000,
                                 "first_bytes": first, "first_requests": first_n,
                                 "wire_bytes": wire,
                                 "all_bytes": total, "all_requests": total_n,
                                 "count": times["count"], "log": log})
                    context.close()
                best = min(runs, key=lambda r: r["seconds"])
                per_query[query] = {"kb": round(best["first_bytes"] / 1024),
                                    "wire_kb": round(best["wire_bytes"] / 1024),
                                    "s": round(best["seconds"], 2),
                                    "requests": best["first_requests"],
                                    "kb_incl_rest_of_page": round(best["all_bytes"] / 1024),
                                    "results": best["count"]}
                if detail:
                    per_query[query]["fetches"] = best["log"]
            browser.close()
    finally:
        server.shutdown()
    return {"first_query_kb": max(q["kb"] for q in per_query.values()),
            "first_query_wire_kb": max(q["wire_kb"] for q in per_query.values()),
            "first_result_s": max(q["s"] for q in per_query.values()),
            "queries": per_query}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("site", type=Path, help="a built site folder (with pagefind/)")
    ap.add_argument("--repeat", type=int, default=1, help="runs per query; the best is kept")
    ap.add_argument("--detail", action="store_true",
                    help="list every request: start and end ms after '/', KB, file")
    args = ap.parse_args()
    if not (args.site / "pagefind" / "pagefind.js").is_file():
        print(f"{args.site} has no Pagefind bundle", file=sys.stderr)
        return 1
    ap_detail = args.detail
    print(json.dumps(measure(args.site, repeat=args.repeat, detail=ap_detail), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
