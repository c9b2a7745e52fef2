"""kerlint's speed against Fixit and against the cost of parsing alone, on the same files, in one run.

    python bench/bench_speed.py [CORPUS] [--runs 3] [--fixit PATH | --no-fixit] [--jobs N] [--smoke]

CORPUS is a directory of Python files (default: ../shared/corpus/clean next to the repository). Every
measurement is a fresh process, interpreter start included; each is the median of --runs runs:

- kerlint cold (`--no-cache`) and warm (a filled cache, no file changed), and warm with one file changed;
- the parse floor: libcst's parse of every file alone, in the same number of worker processes;
- Fixit (`fixit lint`, its default rules), installed into its own venv under the temporary directory
  unless --fixit names the executable; its ratio to kerlint is printed;
- peak memory (proportional set size summed over the process tree, sampled every 10 ms);
- one file (the first in the corpus, or --file): `kerlint check FILE` cold and warm;
- kerlint cold on 1x, 2x and 4x the corpus (copies in sibling folders), to see whether time is linear.

--smoke (for CI) takes a few of the repository's fixtures, one run each, and no Fixit: it checks that
the harness works, not how fast anything is. Numbers belong in BENCHMARKS.md, never in tests.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "clean"
PYTHON = sys.executable

PARSE_FLOOR = r"""
import sys
from multiprocessing import get_context
import libcst

def parse(path):
    with open(path, "rb") as handle:
        data = handle.read()
    try:
        libcst.parse_module(data)
    except Exception:
        pass

if __name__ == "__main__":
    paths = [line for line in sys.stdin.read().splitlines() if line]
    jobs = int(sys.argv[1])
    with get_context("fork").Pool(jobs) as pool:
        pool.map(parse, paths, chunksize=1)
"""


@dataclass
class Timing:
    times: list[float]
    peak_bytes: int

    @property
    def median(self) -> float:
        return statistics.median(self.times)


def _tree(pid: int) -> list[int]:
    pids, stack = [], [pid]
    while stack:
        current = stack.pop()
        pids.append(current)
        try:
            with open(f"/proc/{current}/task/{current}/children") as handle:
                stack += [int(child) for child in handle.read().split()]
        except OSError:
            pass
    return pids


def _pss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0


def run_once(command: list[str], cwd: Path, stdin: bytes | None = None) -> tuple[float, int]:
    """Wall seconds and the peak memory of the process tree (0 where /proc can't tell)."""
    peak = [0]
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], sum(_pss(pid) for pid in _tree(process.pid)))
            done.wait(0.01)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, err = process.communicate(stdin)
    elapsed = time.perf_counter() - start
    done.set()
    sampler.join()
    if process.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)} failed ({process.returncode}):\n{err.decode(errors='replace')[-2000:]}")
    return elapsed, peak[0]


def measure(command: list[str], runs: int, cwd: Path = ROOT, before=None, stdin: bytes | None = None) -> Timing:
    times, peak = [], 0
    for run in range(runs):
        if before is not None:
            before(run)
        elapsed, memory = run_once(command, cwd, stdin)
        times.append(elapsed)
        peak = max(peak, memory)
        shown = " ".join("<script>" if "\n" in part else Path(part).name if "/" in part else part for part in command[:6])
        print(f"  {shown[:70]:<70} {elapsed:7.2f} s", file=sys.stderr, flush=True)
    return Timing(times, peak)


def kerlint(*args: str) -> list[str]:
    return [PYTHON, "-m", "kerlint", "check", "--isolated", "--exit-zero", *args]


def fixit_executable(given: str | None, scratch: Path) -> str:
    if given:
        return given
    venv = Path(tempfile.gettempdir()) / "kerlint-bench-fixit"
    executable = venv / "bin" / "fixit"
    if not executable.exists():
        print(f"installing Fixit into {venv} ...", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "fixit"], check=True)
    return str(executable)


def python_files(corpus: Path) -> list[Path]:
    return sorted(path for path in corpus.rglob("*.py") if path.is_file())


def copies(files: list[Path], corpus: Path, scratch: Path, times: int) -> Path:
    target = scratch / f"x{times}"
    for copy in range(times):
        for path in files:
            destination = target / f"copy{copy}" / path.relative_to(corpus)
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, destination)
    return target


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"


def mib(size: int) -> str:
    return f"{size / 1024 ** 2:.0f} MiB" if size else "n/a"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", default=str(DEFAULT_CORPUS))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=None, help="worker processes (default: kerlint's default)")
    parser.add_argument("--fixit", metavar="PATH", help="the fixit executable (default: install it into a venv)")
    parser.add_argument("--no-fixit", action="store_true")
    parser.add_argument("--file", help="the single file to time (default: the corpus' first)")
    parser.add_argument("--smoke", action="store_true", help="a few fixtures, one run, no Fixit (for CI)")
    args = parser.parse_args()

    corpus = Path(args.corpus).resolve()
    runs = args.runs
    if args.smoke:
        corpus, runs, args.no_fixit = ROOT / "fixtures" / "seeds", 1, True
    if not corpus.is_dir():
        raise SystemExit(f"no corpus at {corpus}: give a directory of Python files")
    files = python_files(corpus)
    if args.smoke:
        files = files[:4]
    jobs = args.jobs or (len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)
    jobs_flag = ["--jobs", str(jobs)]
    lines = sum(path.read_bytes().count(b"\n") for path in files)

    with tempfile.TemporaryDirectory(prefix="kerlint-bench-") as folder:
        scratch = Path(folder)
        tree = copies(files, corpus, scratch, 1)
        cache = scratch / "cache"
        warm_flags = ["--cache-dir", str(cache), *jobs_flag]
        rows: list[tuple[str, Timing]] = []

        floor = measure([PYTHON, "-c", PARSE_FLOOR, str(jobs)], runs,
                        stdin="\n".join(str(path) for path in python_files(tree)).encode())
        rows.append(("parse floor: libcst parse of every file alone", floor))
        cold = measure(kerlint(str(tree), "--no-cache", *jobs_flag), runs)
        rows.append(("kerlint cold (`--no-cache`)", cold))
        run_once(kerlint(str(tree), *warm_flags), ROOT)  # fill the cache
        warm = measure(kerlint(str(tree), *warm_flags), runs)
        rows.append(("kerlint warm (cache filled, no file changed)", warm))
        changed_file = python_files(tree)[len(files) // 2]
        original = changed_file.read_bytes()

        def change(run: int) -> None:
            changed_file.write_bytes(original + f"\n# edit {time.time_ns()} {run}\n".encode())

        one_changed = measure(kerlint(str(tree), *warm_flags), runs, before=change)
        rows.append(("kerlint warm, one file changed", one_changed))
        fixit = None
        if not args.no_fixit:
            fixit = measure([fixit_executable(args.fixit, scratch), "lint", str(tree)], runs, cwd=scratch)
            rows.append(("Fixit (`fixit lint`, default rules)", fixit))

        single = Path(args.file).resolve() if args.file else python_files(tree)[0]
        single_lines = single.read_bytes().count(b"\n")
        single_runs = max(runs, 5)
        bare = measure([PYTHON, "-c", "pass"], single_runs)
        single_cold = measure(kerlint(str(single), "--no-cache"), single_runs)
        run_once(kerlint(str(single), "--cache-dir", str(cache)), ROOT)
        single_warm = measure(kerlint(str(single), "--cache-dir", str(cache)), single_runs)

        scaling = [(1, cold)]
        for times in (2, 4):
            scaling.append((times, measure(kerlint(str(copies(files, corpus, scratch, times)), "--no-cache", *jobs_flag), runs)))

    load = os.getloadavg()
    print(f"corpus: {corpus} ({len(files)} files, {lines} lines); {jobs} jobs; Python {sys.version.split()[0]}; "
          f"{os.cpu_count()} CPUs; load average {load[0]:.2f}, {load[1]:.2f}, {load[2]:.2f}; medians of {runs}\n")
    print("| measurement | median | min | max | peak memory |")
    print("|---|---|---|---|---|")
    for label, timing in rows:
        print(f"| {label} | {ms(timing.median)} | {ms(min(timing.times))} | {ms(max(timing.times))} | {mib(timing.peak_bytes)} |")
    print()
    print("| ratio | value | target |")
    print("|---|---|---|")
    print(f"| kerlint cold / parse floor | {cold.median / floor.median:.2f}x | at most 1.5x |")
    if fixit is not None:
        print(f"| kerlint cold / Fixit | {cold.median / fixit.median:.3f}x | at most 0.06x |")
        print(f"| kerlint warm / Fixit | {warm.median / fixit.median:.4f}x | at most 0.01x |")
    print(f"| one changed file in a warm tree | {ms(one_changed.median)} | under 0.5 s |")
    print(f"| peak memory, kerlint cold | {mib(cold.peak_bytes)} | under 300 MB |")
    print()
    print(f"single file ({single.name}, {single_lines} lines), whole process:")
    print("| measurement | median | min |")
    print("|---|---|---|")
    for label, timing in (("`python -c pass`", bare), ("kerlint check FILE, cold (`--no-cache`)", single_cold),
                          ("kerlint check FILE, warm cache", single_warm)):
        print(f"| {label} | {ms(timing.median)} | {ms(min(timing.times))} |")
    print()
    print("scaling, kerlint cold:")
    print("| corpus | files | median | per file |")
    print("|---|---|---|---|")
    for times, timing in scaling:
        count = len(files) * times
        print(f"| {times}x | {count} | {ms(timing.median)} | {timing.median / count * 1000:.1f} ms |")


if __name__ == "__main__":
    main()
