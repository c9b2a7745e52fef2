"""The speed harness runs end to end in its smoke mode (a few fixtures, one run, no Fixit): it checks
that the harness works, never how fast anything is."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_speed_harness_smoke_prints_its_tables() -> None:
    done = subprocess.run([sys.executable, str(REPO / "bench" / "bench_speed.py"), "--smoke"],
                          capture_output=True, text=True, timeout=600, cwd=REPO)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "| corpus | files | median | per file |" in done.stdout
    assert "| 4x |" in done.stdout
