"""Lint tasks in forked worker processes, so that a hostile file costs that file and not the run.

libcst's native parser overflows its stack and kills the process (SIGSEGV) on pathologically deep
nesting (a few thousand nested brackets, `a.b.b.b...`, `x[0][0]...`, `lambda: lambda: ...`), and it
slows down sharply on such input before that. A worker that dies or overruns its time is replaced:
its file gets one KL004 finding and the other files are checked as usual. Workers are forked after
the rules are loaded, so starting one costs milliseconds; several run in parallel on several cores.

Where fork is not available (Windows, macOS where it is unsafe) files are linted in-process.
"""

from __future__ import annotations

import faulthandler
import multiprocessing
import os
import signal
import sys
import time
from collections import deque
from multiprocessing.connection import Connection, wait
from typing import Iterable, Iterator

from kerlint.runner import FileResult, Task, failed, lint_task

TIMEOUT_BASE = 10.0  # CPU seconds a file may take, plus TIMEOUT_PER_MIB for each MiB of it
# Measured: ~2.3 us/byte for scripts, ~13 us/byte for call-dense test code (0.07 MiB/s); 4x slack on the worst.
TIMEOUT_PER_MIB = 60.0
# The limit counts the worker's CPU time, not the wall clock: on a loaded machine a file gets a fraction
# of a core and takes longer, but the CPU it needs stays the same, so a file is checked or stopped the
# same way however busy the machine is. The wall clock only backs it up, for a worker that stops using
# the CPU without finishing (it never should: linting reads and writes nothing).
WALL_FACTOR = 20.0
CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def timeout_for(task: Task) -> float:
    return TIMEOUT_BASE + TIMEOUT_PER_MIB * task.size() / (1024 * 1024)


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time a live process has used (Linux /proc), or None."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            fields = handle.read().rsplit(b")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime: fields 14 and 15
    except (OSError, IndexError, ValueError):
        return None


def can_isolate() -> bool:
    return sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()


def cpu_count() -> int:
    """The CPUs this process may run on (a container's or `taskset`'s limit, not the machine's)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


def lint_all(tasks: Iterable[Task], jobs: int | None = None) -> Iterator[FileResult]:
    """Each task's result, in the order they finish (callers sort); `jobs` workers, the CPU count by default."""
    tasks = list(tasks)
    if not tasks:
        return
    if not can_isolate():
        yield from map(lint_task, tasks)
        return
    yield from _run(tasks, max(1, min(jobs or cpu_count(), len(tasks))))


def _serve(conn: Connection) -> None:
    """A worker: lint each task it is sent until told to stop (None) or the parent goes away."""
    faulthandler.disable()  # a parser crash is reported as the file's KL004; no traceback dump on stderr
    try:
        while True:
            task = conn.recv()
            if task is None:
                return
            conn.send(lint_task(task))
    except (EOFError, OSError, KeyboardInterrupt):
        return


class _Worker:
    def __init__(self, context) -> None:
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child,), daemon=True)
        self.process.start()
        child.close()
        self.task: Task | None = None
        self.limit = self.cpu_start = self.wall_start = self.wall_deadline = 0.0

    def give(self, task: Task) -> None:
        self.task = task
        self.limit = timeout_for(task)
        self.cpu_start = cpu_seconds(self.process.pid) or 0.0
        self.wall_start = time.monotonic()
        self.wall_deadline = self.wall_start + WALL_FACTOR * self.limit
        self.conn.send(task)

    def cpu_left(self) -> float:
        """CPU seconds left to the current task; no /proc: the wall clock stands in for the CPU."""
        used = cpu_seconds(self.process.pid)
        if used is None:
            return self.limit - (time.monotonic() - self.wall_start)
        return self.limit - (used - self.cpu_start)

    def next_check(self, now: float) -> float:
        """When to look again: the CPU left cannot run out sooner than that many wall seconds from now."""
        return min(now + max(self.cpu_left(), 0.0), self.wall_deadline)

    def collect(self) -> FileResult | None:
        """The finished task's result, or None when the worker died on it."""
        try:
            result = self.conn.recv()
        except (EOFError, OSError):
            return None
        self.task = None
        return result

    def stop(self, kill: bool = False) -> None:
        if not kill:
            try:
                self.conn.send(None)
            except OSError:
                kill = True
        if kill and self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)
        self.conn.close()


def _crash_message(worker: _Worker) -> str:
    worker.process.join(timeout=5)
    code = worker.process.exitcode
    how = f"signal {signal.Signals(-code).name}" if code is not None and code < 0 else f"exit code {code}"
    return (
        f"the parser crashed on this file ({how}), as it does on extremely deep nesting "
        "(thousands of nested brackets, operators or attribute accesses): not checked"
    )


def _run(tasks: list[Task], jobs: int) -> Iterator[FileResult]:
    # loaded once here and shared with every forked worker
    import kerlint.extract.legacy  # noqa: F401
    import kerlint.extract.numerics  # noqa: F401
    import kerlint.extract.training  # noqa: F401
    from kerlint.registry import all_rules

    all_rules()  # likewise the rule modules: a worker then only lints

    for stream in (sys.stdout, sys.stderr):  # a buffer inherited by a fork would be written twice
        stream.flush()
    context = multiprocessing.get_context("fork")
    pending = deque(tasks)
    idle: list[_Worker] = []
    busy: list[_Worker] = []
    try:
        while pending or busy:
            while pending and len(busy) < jobs:
                worker = idle.pop() if idle else _Worker(context)
                worker.give(pending.popleft())
                busy.append(worker)
            now = time.monotonic()
            soonest = min(worker.next_check(now) for worker in busy)
            ready = wait([worker.conn for worker in busy], timeout=max(0.0, soonest - now))
            now = time.monotonic()
            for worker in list(busy):
                task = worker.task
                if worker.conn in ready:
                    result = worker.collect()
                    if result is not None:
                        busy.remove(worker)
                        idle.append(worker)
                        yield result
                        continue
                    message = _crash_message(worker)
                elif worker.cpu_left() <= 0 or now >= worker.wall_deadline:
                    message = (
                        f"analysis did not finish within {worker.limit:.3g} s of CPU time (kerlint's limit for a "
                        "file of this size; extremely deep nesting is the usual cause): not checked"
                    )
                else:
                    continue
                busy.remove(worker)
                worker.stop(kill=True)
                yield failed(task.shown, message)
    finally:
        for worker in idle + busy:
            worker.stop(kill=worker in busy)
