"""What compiling the converter with mypyc would buy: the same one-core figures as
benchmarks/run.py, for the package as it is and for a copy compiled with mypyc.

    python benchmarks/compiled_trial.py --source benchmarks/results/corpus-10x/source

A trial, not the build: the package is not compiled when installed. The copy is made in a
temporary folder: ``build_site`` as it is, except that ``segment.py``'s pydantic schema of
the ``structure:`` block moves to a module of its own (mypyc cannot compile a pydantic model;
segment imports it from there), and ``--modules`` are compiled (about two minutes). mypyc
trusts the annotations: where one is untrue the compiled code raises a TypeError, or crashes
(a tuple read as a list), so the copy's pages are compared with the package's first (the
same bytes, or the trial stops). Then ``convert_profile.py --library`` (``build_library(source,
workers=1)`` in a new process, as run.py's conversion figure) runs ``--runs`` times for each,
alternated (the machine drifts). Needs mypy (which holds mypyc) and a C compiler.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONVERSION = ["model.py", "decode.py", "clean/*.py", "notes.py", "segment.py", "paragraphs.py",
              "anchors.py", "links.py", "render.py"]
PAGES_DIGEST = """
import hashlib, sys
from pathlib import Path
from build_site.library import build_library
built = build_library(Path(sys.argv[1]), workers=1)
assert not built.errors, built.errors[:5]
h = hashlib.sha256()
for page in sorted(built.pages, key=lambda p: p.path):
    h.update(page.path.encode() + b"\\0" + page.markdown.encode() + b"\\0")
print(len(built.pages), h.hexdigest())
"""


def split_structure_schema(segment: Path) -> None:
    """Move the pydantic models of the ``structure:`` block out of segment.py."""
    text = segment.read_text()
    start = text.index("class _Strict(BaseModel):")
    end = text.index("@dataclass(frozen=True)\nclass StructureConfig:")
    (segment.parent / "structure_spec.py").write_text(
        "from __future__ import annotations\n\nfrom pydantic import BaseModel, ConfigDict, "
        "Field\n\n\n" + text[start:end])
    old_import = "from pydantic import BaseModel, ConfigDict, Field, ValidationError\n"
    assert old_import in text, "segment.py's imports changed: update the trial"
    segment.write_text(text[:start].replace(old_import, (
        "from pydantic import ValidationError\n\nfrom .structure_spec import Chronicle, "
        "HeadingRule, LostTitle, StructureSpec, TitleFix  # noqa: F401\n")) + text[end:])


def compiled_copy(folder: Path, modules: list[str]) -> Path:
    shutil.copytree(ROOT / "build_site", folder / "build_site",
                    ignore=shutil.ignore_patterns("__pycache__", "*.so"))
    (folder / "benchmarks").mkdir()
    shutil.copy(ROOT / "benchmarks" / "convert_profile.py", folder / "benchmarks")
    split_structure_schema(folder / "build_site" / "segment.py")
    paths = sorted(str(p.relative_to(folder)) for m in modules
                   for p in (folder / "build_site").glob(m))
    run = subprocess.run([shutil.which("mypyc") or "mypyc", "--ignore-missing-imports", *paths],
                         check=False, cwd=folder, capture_output=True, text=True,
                         env={**os.environ, "MYPYC_MULTI_FILE": "1"})
    if run.returncode:
        out = [ln for ln in (run.stdout + run.stderr).splitlines() if "error" in ln]
        raise SystemExit("mypyc failed (mypy's errors must be fixed first):\n"
                         + "\n".join(out[:40]))
    return folder


def in_copy(root: Path, *args: str) -> str:
    run = subprocess.run([sys.executable, *args], cwd=root, capture_output=True, text=True,
                         check=False, env={**os.environ, "PYTHONPATH": str(root)})
    if run.returncode:
        raise SystemExit(f"failed in {root}:\n{run.stderr[-3000:]}")
    return run.stdout.strip()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--source", type=Path, action="append", required=True)
    ap.add_argument("--modules", nargs="+", default=CONVERSION,
                    help="modules to compile, as globs under build_site/")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--keep", type=Path, help="make the compiled copy here and keep it")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="compiled-trial-") as tmp:
        if args.keep:
            args.keep.mkdir(parents=True)
        copy = compiled_copy(args.keep or Path(tmp), args.modules)
        for source in args.source:
            source = source.resolve()
            plain, compiled = (in_copy(root, "-c", PAGES_DIGEST, str(source))
                               for root in (ROOT, copy))
            print(f"{source}: pages {plain} (package) / {compiled} (compiled)")
            if plain != compiled:
                print("the compiled copy makes other pages: no timing", file=sys.stderr)
                return 1
            for _ in range(args.runs):
                for label, root in (("package ", ROOT), ("compiled", copy)):
                    line = in_copy(root, "benchmarks/convert_profile.py", "--library", "1",
                                   "--source", str(source))
                    print(f"  {label} {line}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
