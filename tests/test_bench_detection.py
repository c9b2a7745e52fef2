"""The detection benchmark runs end to end on the development corpus (quick mode, no thresholds)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "corpus"


def test_quick_detection_benchmark_prints_every_measure() -> None:
    if not (CORPUS / "buggy" / "INDEX.jsonl").is_file():
        if os.environ.get("CI"):
            pytest.fail(f"the development corpus is missing at {CORPUS}")
        pytest.skip(f"no development corpus at {CORPUS}")
    done = subprocess.run(
        [sys.executable, str(REPO / "bench" / "bench_detection.py"), "--quick", "--list"],
        capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, done.stderr
    table = done.stdout
    for measure in ("recall overall (dup groups)", "at the line (+-2)", "persists on the fix",
                    "false alarms per 100 clean files"):
        assert f"| {measure} |" in table
    assert "(0 on 0 files)" not in table


def test_missing_corpus_is_exit_2(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(REPO / "bench" / "bench_detection.py"), str(tmp_path)],
        capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 2 and "no corpus" in done.stderr
