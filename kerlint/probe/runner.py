"""Parent side: run one sandboxed child per file and collect its JSON.

Each child gets a fresh temporary directory as its cwd (removed afterwards), its own process group
(killed, with everything the script spawned in it, on timeout and after it ends), a memory limit
(RLIMIT_AS, set in the child), `PYTHONDONTWRITEBYTECODE` so importing the user's modules writes no
`__pycache__` into their tree, and stdout/stderr sent to files whose tails are kept.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from kerlint.probe.options import MAX_CAPTURED_OUTPUT, ProbeOptions

KILL_GRACE_S = 5.0


@dataclass
class FileProbe:
    shown: str
    document: dict | None = None
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    stdout: str = ""
    stderr: str = ""

    @property
    def models(self) -> list[dict]:
        return (self.document or {}).get("models", [])


def builds_model(data: bytes) -> bool:
    """Cheap test for a file worth running: it mentions Keras and compiles or loads a model."""
    return (b"keras" in data) and (b".compile(" in data or b"load_model(" in data)


def _tail(path: str) -> str:
    try:
        with open(path, "rb") as handle:
            handle.seek(0, os.SEEK_END)
            size = handle.tell()
            handle.seek(max(0, size - MAX_CAPTURED_OUTPUT))
            text = handle.read().decode("utf-8", "replace")
    except OSError:
        return ""
    return ("[...]\n" if size > MAX_CAPTURED_OUTPUT else "") + text


def _environment(sandbox: str) -> dict[str, str]:
    package_root = str(Path(__file__).resolve().parents[2])
    path = os.environ.get("PYTHONPATH")
    return {
        **os.environ,
        "PYTHONPATH": package_root + (os.pathsep + path if path else ""),
        "PYTHONDONTWRITEBYTECODE": "1",
        "TF_CPP_MIN_LOG_LEVEL": os.environ.get("TF_CPP_MIN_LOG_LEVEL", "3"),
        "KERAS_HOME": os.path.join(sandbox, ".keras"),
        "TMPDIR": sandbox, "TEMP": sandbox, "TMP": sandbox,
        "MPLBACKEND": "Agg",
        "PYTHONUNBUFFERED": "1",
    }


def _kill_group(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def probe_file(path: Path | None, shown: str, codes: set[str], options: ProbeOptions) -> FileProbe:
    """Run the child for one file (or for --model when `path` is None); never raises."""
    result = FileProbe(shown)
    sandbox = tempfile.mkdtemp(prefix="kerlint-probe-")
    out = os.path.join(sandbox, "probe.json")
    stdout, stderr = os.path.join(sandbox, "stdout.txt"), os.path.join(sandbox, "stderr.txt")
    command = [sys.executable, "-m", "kerlint.probe.child", str(path.resolve()) if path else "<model>", "--out", out,
               "--steps", str(options.steps), "--codes", ",".join(sorted(codes)), "--memory", str(options.memory_bytes),
               "--deadline", str(time.time() + options.timeout_s), "--train-seconds", str(options.train_seconds), "--root", os.getcwd()]
    if options.all_models:
        command.append("--all")
    if options.sharpness:
        command.append("--sharpness")
    if path is None and options.model:
        command += ["--model", options.model] + (["--data", options.data] if options.data else [])
    start = time.monotonic()
    try:
        with open(stdout, "wb") as out_file, open(stderr, "wb") as err_file:
            process = subprocess.Popen(command, cwd=sandbox, stdin=subprocess.DEVNULL, stdout=out_file, stderr=err_file,
                                       env=_environment(sandbox), start_new_session=True)
            try:
                code = process.wait(timeout=options.timeout_s)
            except subprocess.TimeoutExpired:
                code = None
            finally:
                _kill_group(process)  # the child, and whatever the script started in its group
                process.wait(timeout=KILL_GRACE_S)
        result.seconds = round(time.monotonic() - start, 2)
        result.stdout, result.stderr = _tail(stdout), _tail(stderr)
        result.document = _read(out)
        stage = (result.document or {}).get("stage", "starting")
        if code is None:
            result.notes.append(f"probe stopped after the {options.timeout_s:g} s time limit while {stage}")
        elif code < 0:
            result.notes.append(f"probe process was killed by signal {signal.Signals(-code).name} while {stage}"
                                + (" (out of memory?)" if -code in (signal.SIGKILL, signal.SIGSEGV) else ""))
        elif result.document is None:
            last = result.stderr.strip().splitlines()[-1:] or ["no output"]
            result.notes.append(f"probe process ended (exit code {code}) without a report: {last[0][:300]}")
        if result.document:
            result.notes = result.document.get("notes", []) + result.notes
    except OSError as error:
        result.notes.append(f"probe could not start: {error}")
    finally:
        shutil.rmtree(sandbox, ignore_errors=True)
    return result


def _read(path: str) -> dict | None:
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return None


def probe_files(work: list[tuple[Path | None, str, set[str]]], options: ProbeOptions,
                progress: Callable[[str], None] | None = None) -> list[FileProbe]:
    """Probe every (path, shown, static codes) item, `options.jobs` at a time, in input order."""
    done = 0

    def one(item):
        nonlocal done
        probed = probe_file(*item, options)
        done += 1
        if progress:
            progress(f"probe {done}/{len(work)}: {item[1]} ({probed.seconds:.1f} s)")
        return probed

    with ThreadPoolExecutor(max_workers=max(1, options.jobs)) as pool:
        return list(pool.map(one, work))
