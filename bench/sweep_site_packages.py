"""`kerlint check` over every `.py` of the installed site-packages: real code kerlint was never tuned on.

    python bench/sweep_site_packages.py [DIR] [--batch N]

Runs the CLI as a user does (`python -m kerlint check --output-format json --exit-zero --isolated`) on
the files in batches, and reports how many files were checked, the findings per rule, the internal
errors (KL004, each with its file and message: a parser crash on pathological nesting, a time limit, a
rule's exception) and the wall time. DIR defaults to this interpreter's purelib (its site-packages).
Exit status 1 when any batch failed to produce JSON or any KL004 is not a contained parser crash.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONTAINED = ("the parser crashed on this file",)  # libcst's stack overflow on pathological nesting, caught by the pool


def python_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.rglob("*.py") if p.is_file() and not p.is_symlink())


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("directory", nargs="?", default=sysconfig.get_paths()["purelib"])
    parser.add_argument("--batch", type=int, default=500)
    args = parser.parse_args()
    files = python_files(Path(args.directory))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    codes: collections.Counter[str] = collections.Counter()
    internal, broken = [], []
    start = time.perf_counter()
    for at in range(0, len(files), args.batch):
        batch = [str(p) for p in files[at: at + args.batch]]
        done = subprocess.run([sys.executable, "-m", "kerlint", "check", "--output-format", "json", "--exit-zero",
                               "--isolated", *batch], cwd=ROOT, env=env, capture_output=True, text=True)
        try:
            findings = json.loads(done.stdout)
        except ValueError:
            broken.append((at, done.returncode, done.stderr[-500:]))
            continue
        for finding in findings:
            codes[finding["code"]] += 1
            if finding["code"] == "KL004":
                internal.append((finding["filename"], finding["message"]))
        print(f"{min(at + args.batch, len(files))}/{len(files)} files, {time.perf_counter() - start:.0f} s", file=sys.stderr)
    seconds = time.perf_counter() - start
    uncontained = [(f, m) for f, m in internal if not m.startswith(CONTAINED)]
    print(f"directory: {args.directory}")
    print(f"files: {len(files)}  findings: {sum(codes.values())}  internal errors (KL004): {len(internal)}"
          f" ({len(internal) - len(uncontained)} contained parser crashes)  batches without JSON: {len(broken)}"
          f"  time: {seconds:.1f} s ({len(files) / seconds:.0f} files/s)")
    print("findings per rule: " + ", ".join(f"{code} {count}" for code, count in sorted(codes.items())))
    for filename, message in internal:
        print(f"  KL004 {filename}: {message[:200]}")
    for at, code, stderr in broken:
        print(f"  batch at {at}: exit {code}, no JSON: {stderr}")
    return 1 if uncontained or broken else 0


if __name__ == "__main__":
    sys.exit(main())
