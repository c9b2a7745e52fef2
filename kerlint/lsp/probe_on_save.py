"""Probe on save (off unless the user turns on `kerlint.probeOnSave`): run `kerlint check --probe` on the
saved file in a subprocess, without blocking the server, and merge its verdicts into the findings."""

from __future__ import annotations

import asyncio
import json
import os
import shlex
import signal
import sys
from dataclasses import replace
from pathlib import Path

from kerlint.diagnostic import Diagnostic, Related, Severity, Span
from kerlint.verdict import ProbeVerdict

# Tests (and users with a wrapper) may replace the command; the file's path is appended to it.
COMMAND_VARIABLE = "KERLINT_LSP_PROBE_COMMAND"
DEFAULT_TIMEOUT_S = 600.0
# The probe command learns the server's pid here and dies with it (kerlint.cli honours it).
PARENT_VARIABLE = "KERLINT_DIE_WITH_PARENT"
RUNNING: set[int] = set()  # process groups of the probes in flight, killed on shutdown


class ProbeFailed(Exception):
    pass


def probe_command(path: Path) -> list[str]:
    custom = os.environ.get(COMMAND_VARIABLE)
    if custom:
        return [*shlex.split(custom), str(path)]
    return [sys.executable, "-m", "kerlint", "check", "--probe", "--output-format", "json", str(path)]


async def run_probe(path: Path, timeout_s: float = DEFAULT_TIMEOUT_S) -> list[dict]:
    """The probe's JSON findings for `path`; ProbeFailed saying why when there are none to use."""
    command = probe_command(path)
    process = await asyncio.create_subprocess_exec(
        *command, cwd=str(path.parent), stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        start_new_session=True, env={**os.environ, PARENT_VARIABLE: str(os.getpid())},
    )
    RUNNING.add(process.pid)
    try:
        stdout, stderr = await asyncio.wait_for(process.communicate(), timeout_s)
    except (asyncio.TimeoutError, asyncio.CancelledError) as stopped:
        kill_group(process.pid)  # kerlint check and its supervisors; each supervisor's tree dies with it
        await process.wait()
        if isinstance(stopped, asyncio.CancelledError):
            raise
        raise ProbeFailed(f"the probe took over {timeout_s:.0f} s and was stopped") from None
    finally:
        RUNNING.discard(process.pid)
    if process.returncode not in (0, 1):
        tail = stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
        raise ProbeFailed(f"the probe exited with code {process.returncode}: {' '.join(tail) or 'no message'}")
    try:
        records = json.loads(stdout.decode("utf-8", "replace"))
    except ValueError:
        raise ProbeFailed("the probe's output is not JSON") from None
    if not isinstance(records, list):
        raise ProbeFailed("the probe's output is not a JSON list")
    records = [record for record in records if isinstance(record, dict)]
    if records and not any("probe" in record for record in records):
        # e.g. Keras is not installed where kerlint runs: the probe said why on stderr and judged nothing
        tail = stderr.decode("utf-8", "replace").strip().splitlines()[-2:]
        raise ProbeFailed(f"the probe gave no verdict: {' '.join(tail) or 'no message'}")
    return records


def kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def kill_all() -> None:
    """Every probe still running (server shutdown or exit)."""
    for pid in list(RUNNING):
        kill_group(pid)
    RUNNING.clear()


def _span(record: dict) -> Span:
    start, end = record.get("location") or {}, record.get("end_location") or record.get("location") or {}
    line, col = int(start.get("row", 1)), int(start.get("column", 1)) - 1
    return Span(line, col, int(end.get("row", line)), int(end.get("column", col + 1)) - 1)


def to_diagnostic(record: dict, path: str) -> Diagnostic:
    try:
        severity = Severity.parse(str(record.get("severity", "warning")))
    except ValueError:
        severity = Severity.WARNING
    related = tuple(
        Related(_span(item), str(item.get("message", ""))) for item in record.get("related") or () if isinstance(item, dict)
    )
    extra = {"probe": ProbeVerdict.from_json(record["probe"])} if isinstance(record.get("probe"), dict) else {}
    return Diagnostic(
        code=str(record.get("code", "")), name=str(record.get("name", "")), tag=(record.get("tags") or [""])[0],
        severity=severity, message=str(record.get("message", "")), path=path, span=_span(record),
        fix=record.get("fix"), url=record.get("url"), related=related, extra=extra,
    )


def merge(static: list[Diagnostic], records: list[dict], path: str) -> list[Diagnostic]:
    """The static findings with the probe's verdicts attached; the probe's own findings added."""
    merged = list(static)
    index = {(d.code, d.span.line, d.span.col): i for i, d in enumerate(merged)}
    for record in records:
        try:
            found = to_diagnostic(record, path)
        except (TypeError, ValueError):
            continue
        key = (found.code, found.span.line, found.span.col)
        if key in index:
            if found.extra:
                current = merged[index[key]]
                merged[index[key]] = replace(current, extra={**current.extra, **found.extra})
        else:
            index[key] = len(merged)
            merged.append(found)
    return sorted(merged, key=Diagnostic.sort_key)
