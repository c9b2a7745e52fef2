"""Wall time of `kerlint check --probe=all FILE` per modern fixture, on this machine's CPU.

Each run is a fresh `python -m kerlint` process, so the time includes starting Python, importing
TensorFlow in the probe's child, running the script with training intercepted, inspecting the
model and the short training run. Prints a Markdown table (the one in BENCHMARKS.md).

    python bench/bench_probe.py [--repeat N] [FIXTURE...]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MODERN = REPO / "fixtures" / "modern"


def run_once(path: Path) -> tuple[float, list[dict], list[dict]]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "CUDA_VISIBLE_DEVICES": ""}
    with tempfile.TemporaryDirectory() as reports:
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "kerlint", "check", "--probe=all", "--probe-report", reports, "--exit-zero",
                               "--output-format", "json", str(path)], capture_output=True, text=True, env=env, cwd=REPO)
        elapsed = time.perf_counter() - start
        models = [json.loads(p.read_text())["model"] for p in sorted(Path(reports).glob("*.json"))]
    return elapsed, json.loads(done.stdout or "[]"), models


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("fixtures", nargs="*")
    args = parser.parse_args()
    paths = [Path(p) for p in args.fixtures] or sorted(MODERN.glob("*.py"))
    print(f"Python {platform.python_version()}, {os.cpu_count()} CPUs, {platform.machine()}")
    print("| fixture | wall (s) | probe training (s) | steps | verdicts |")
    print("|---|---|---|---|---|")
    for path in paths:
        times, findings, models = [], [], []
        for _ in range(args.repeat):
            elapsed, findings, models = run_once(path)
            times.append(elapsed)
        probed = [f for f in findings if "probe" in f]
        verdicts = ", ".join(f"{f['code']} {f['probe']['verdict']}" for f in probed) or "no finding to judge"
        runs = [m.get("probe") or {} for m in models]
        seconds = sum(r.get("seconds", 0.0) for r in runs)
        steps = sum(len(r.get("trajectory") or []) for r in runs)
        print(f"| {path.name} | {statistics.median(times):.1f} | {seconds:.1f} | {steps or '-'} | {verdicts} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
