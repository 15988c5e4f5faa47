"""Command line: ``build-site convert|check|explain|anchors`` (also ``python -m build_site``).

The CLI never shows a traceback for bad input: every problem is printed as
'path:line: level: message' and the exit status says whether anything failed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tqdm import tqdm

from .library import build_library
from .model import Level


def _progress(items):
    return tqdm(items, desc="converting", unit="text", disable=not sys.stderr.isatty())


def _print_diagnostics(built, verbose: bool = False) -> None:
    for d in built.diagnostics:
        if d.level is not Level.INFO or verbose:
            print(d, file=sys.stderr)


def cmd_convert(args) -> int:
    built = build_library(Path(args.source), progress=_progress)
    _print_diagnostics(built)
    if built.errors:
        return 1
    out = Path(args.out)
    for page in built.pages:
        target = out / page.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(page.markdown, encoding="utf-8")
    print(f"wrote {len(built.pages)} pages to {out}")
    return 0


def cmd_check(args) -> int:
    built = build_library(Path(args.source), progress=_progress)
    _print_diagnostics(built, verbose=True)
    words = sum(len(p.markdown.split()) for p in built.pages)
    errors = len(built.errors)
    if args.site:
        from .linkcheck import check_site

        broken = check_site(Path(args.site))
        for d in broken:
            print(d, file=sys.stderr)
        print(f"{args.site}: {len(broken)} broken internal links or anchors")
        errors += len(broken)
    print(f"{len(built.documents)} texts, {len(built.pages)} pages, about {words} words; "
          f"{errors} errors")
    return 1 if errors else 0


def cmd_explain(args) -> int:
    built = build_library(Path(args.source), only=[args.text])
    _print_diagnostics(built, verbose=True)
    if built.errors:
        return 1
    if not built.documents:
        print(f"no text named {args.text!r} under {args.source}/ (give a folder name)",
              file=sys.stderr)
        return 2
    from .report import report_text

    print(report_text(built.documents[0]))
    return 0


def cmd_anchors(args) -> int:
    """Report (or with --accept record) how paragraph ids moved since the ledgers were written."""
    from . import anchors

    built = build_library(Path(args.source), only=args.text or None, progress=_progress)
    status = 0
    for doc in built.documents:
        other = [d for d in doc.diagnostics
                 if d.level is Level.ERROR and not d.code.startswith("anchors-")]
        result = anchors.accept(doc, args.source)
        if other or result is None:
            for d in other:
                print(d, file=sys.stderr)
            print(f"{doc.slug}: not converted cleanly (or its ledger is unreadable): "
                  "ledger left alone", file=sys.stderr)
            status = 1
            continue
        text, out = result
        print(f"{doc.slug}: {len(out.ids)} ids, {len(out.new)} new, {len(out.moved)} merged "
              f"into a neighbour, {len(out.vanished)} gone")
        for old, place in out.vanished:
            print(f"  {old} -> {place or 'nothing'} (its words are gone)")
        path = anchors.ledger_path(args.source, doc.slug)
        if args.accept:
            if not path.is_file() or path.read_text(encoding="utf-8") != text:
                path.write_text(text, encoding="utf-8")
                print(f"  recorded in {path}")
        elif out.vanished:
            status = 1
    return status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="build-site", description=__doc__.splitlines()[0])
    parser.add_argument("--source", default="source", help="folder of works (default: source)")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("convert", help="write the generated Markdown pages to a folder")
    p.add_argument("--out", required=True, help="output folder")
    p.set_defaults(func=cmd_convert)
    p = sub.add_parser("check", help="convert everything and print diagnostics only")
    p.add_argument("--site", help="also check every internal link and #anchor of this built "
                   "site folder (e.g. site)")
    p.set_defaults(func=cmd_check)
    p = sub.add_parser("explain", help="list what the cleaner did to one text")
    p.add_argument("text", help="work folder name under source/, e.g. soviet-power")
    p.set_defaults(func=cmd_explain)
    p = sub.add_parser("anchors", help="compare paragraph ids with the ledgers; --accept records")
    p.add_argument("text", nargs="*", help="work folder names (default: every work)")
    p.add_argument("--accept", action="store_true",
                   help="write source/<work>/anchors.yml: record new, merged and retired ids")
    p.set_defaults(func=cmd_anchors)
    args = parser.parse_args(argv)
    if not Path(args.source).is_dir():
        print(f"build-site: error: no folder {args.source!r}: give the folder of works with "
              "--source (default: source, run from the project folder)", file=sys.stderr)
        return 2
    if args.command == "check" and args.site and not Path(args.site).is_dir():
        print(f"build-site: error: no built site at {args.site!r}: run `mkdocs build` first",
              file=sys.stderr)
        return 2
    try:
        return args.func(args)
    except KeyboardInterrupt:
        return 130
    except OSError as exc:  # a file we had to read or write: say which, and why
        print(f"build-site: error: {exc.filename or ''}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # noqa: BLE001 (a bug: one clear line instead of a traceback)
        print(f"build-site: internal error: {type(exc).__name__}: {exc}\n"
              "This is a bug in build_site, not in your files: please report it with the "
              "command you ran.", file=sys.stderr)
        return 70
