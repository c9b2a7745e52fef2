"""What the probe's OS confinement costs (Linux).

1. The layers alone: fork, unshare + uid maps, fork (PID 1 of the namespace), read-only mounts + /proc
   + limits + Landlock, exit — against the same two forks without layers. Median of --runs.
2. A whole `kerlint check --probe=all FILE` with every layer the kernel grants, and with Landlock and
   unshare refused by a seccomp filter (tests/seccomp_exec.py), interleaved, median of --repeat.

    python bench/bench_confinement.py --runs 30 --repeat 3
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kerlint.probe import confine  # noqa: E402


def _twice(layers: bool, scratch: str) -> float:
    start = time.perf_counter()
    outer = os.fork()
    if outer == 0:
        applied = {layer.name for layer in confine.enter_namespaces() if layer.applied} if layers else set()
        inner = os.fork()
        if inner == 0:
            if layers:
                confine.private_mounts(scratch, "user namespace" in applied)
                confine.limits(4 * 1024**3, "user namespace" in applied)
                confine.no_new_privileges()
                confine.landlock([scratch], [os.devnull])
            os._exit(0)
        os.waitpid(inner, 0)
        os._exit(0)
    os.waitpid(outer, 0)
    return time.perf_counter() - start


def _probe(file: str, refuse: bool) -> float:
    prefix = [sys.executable, str(ROOT / "tests" / "seccomp_exec.py"), "landlock,unshare", "--"] if refuse else []
    start = time.perf_counter()
    subprocess.run([*prefix, sys.executable, "-m", "kerlint", "check", "--probe=all", file], cwd=ROOT,
                   env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, check=False)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--file", default="fixtures/modern/modern_003_relu_categorical.py")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        for label, layers in (("two forks, no layers", False), ("two forks + every layer", True)):
            times = [_twice(layers, scratch) for _ in range(args.runs)]
            print(f"{label}: median {statistics.median(times) * 1000:.1f} ms, min {min(times) * 1000:.1f} ms")
    confined, refused = [], []
    for _ in range(args.repeat):
        confined.append(_probe(args.file, refuse=False))
        refused.append(_probe(args.file, refuse=True))
    print(f"kerlint check --probe=all {args.file}: every layer {statistics.median(confined):.2f} s, "
          f"Landlock and namespaces refused {statistics.median(refused):.2f} s (median of {args.repeat})")
    print(f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
