"""The package's annotations are true to mypy: a compiled build (mypyc) trusts them, and an
annotation that lies (a tuple stored where a list is declared) crashes it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_mypy_finds_no_error_in_the_package():
    proc = subprocess.run([sys.executable, "-m", "mypy", "--ignore-missing-imports",
                           "build_site"], cwd=ROOT, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
