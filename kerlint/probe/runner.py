"""Parent side: run one confined probe per file and collect its measurements.

Each file gets a fresh scratch directory (removed afterwards) and a supervisor process
(`kerlint.probe.supervisor`, in its own session, dying with kerlint) that runs the user's script under
the OS confinement of `confine.py` and answers with one JSON envelope: the layers it applied, how the
child ended, the script's output tails and the measurement document. The document came from the
untrusted process: it is validated (`schema.py`) before anything reads it, and a malformed one is one
note for its own file.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from kerlint.probe.options import ProbeOptions
from kerlint.probe.schema import SchemaError, validate

SUPERVISOR_GRACE_S = 15.0  # past the probe's own time limit, before kerlint kills the supervisor
# Variables the child sees besides the ones kerlint sets; anything else (tokens, CI secrets) only by
# `--probe-env NAME`. Names, not prefixes: TF_* includes Terraform's tokens.
PASSED_ENVIRONMENT = frozenset({
    "PATH", "HOME", "USER", "LOGNAME", "LANG", "LANGUAGE", "LC_ALL", "LC_CTYPE", "LC_NUMERIC", "LC_MESSAGES", "TZ", "LD_LIBRARY_PATH",
    "CUDA_VISIBLE_DEVICES", "CUDA_HOME", "CUDA_PATH", "NVIDIA_VISIBLE_DEVICES", "NVIDIA_DRIVER_CAPABILITIES",
    "KERAS_BACKEND", "TF_CPP_MIN_LOG_LEVEL", "TF_ENABLE_ONEDNN_OPTS", "TF_FORCE_GPU_ALLOW_GROWTH", "TF_XLA_FLAGS",
    "TF_GPU_ALLOCATOR", "TF_NUM_INTEROP_THREADS", "TF_NUM_INTRAOP_THREADS", "XLA_FLAGS", "XLA_PYTHON_CLIENT_PREALLOCATE",
    "XLA_PYTHON_CLIENT_MEM_FRACTION", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "PYTHONHASHSEED",
})


@dataclass
class FileProbe:
    shown: str
    document: dict | None = None
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    stdout: str = ""
    stderr: str = ""
    isolation: list[dict] = field(default_factory=list)  # the supervisor's layers: {name, applied, detail}
    refused: bool = False  # --probe-isolation=strict and a strong layer could not be applied

    @property
    def models(self) -> list[dict]:
        return (self.document or {}).get("models", [])


def builds_model(data: bytes) -> bool:
    """Cheap test for a file worth running: it mentions Keras and compiles or loads a model."""
    return (b"keras" in data) and (b".compile(" in data or b"load_model(" in data)


def environment(sandbox: str, passed: tuple[str, ...] = ()) -> dict[str, str]:
    """The child's whole environment: the allow-list, the names passed with --probe-env, kerlint's own."""
    from kerlint.probe.backend_choice import keras_backend

    package_root = str(Path(__file__).resolve().parents[2])
    kept = {name: value for name, value in os.environ.items() if name in PASSED_ENVIRONMENT or name in passed}
    path = os.environ.get("PYTHONPATH")
    backend = keras_backend(os.environ)  # before KERAS_HOME moves into the sandbox: the user's keras.json counts
    return {
        **kept,
        **({"KERAS_BACKEND": backend} if backend else {}),
        "PYTHONPATH": package_root + (os.pathsep + path if path else ""),
        "PYTHONDONTWRITEBYTECODE": "1",
        "TF_CPP_MIN_LOG_LEVEL": os.environ.get("TF_CPP_MIN_LOG_LEVEL", "3"),
        # $HOME stays for reading (`~/data/...`); caches and configs that would be written there go here
        "KERAS_HOME": os.path.join(sandbox, ".keras"), "XDG_CACHE_HOME": os.path.join(sandbox, ".cache"),
        "XDG_CONFIG_HOME": os.path.join(sandbox, ".config"), "MPLCONFIGDIR": os.path.join(sandbox, ".matplotlib"),
        "TMPDIR": sandbox, "TEMP": sandbox, "TMP": sandbox,
        "MPLBACKEND": "Agg",
        "PYTHONUNBUFFERED": "1",
    }


def _kill_group(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _child_arguments(path: Path | None, codes: set[str], options: ProbeOptions) -> list[str]:
    arguments = [str(path.resolve()) if path else "<model>", "--steps", str(options.steps), "--codes", ",".join(sorted(codes)),
                 "--memory", str(options.memory_bytes), "--deadline", str(time.time() + options.timeout_s),
                 "--train-seconds", str(options.train_seconds), "--root", os.getcwd()]
    if options.all_models:
        arguments.append("--all")
    if options.sharpness:
        arguments.append("--sharpness")
    if path is None and options.model:
        arguments += ["--model", options.model] + (["--data", options.data] if options.data else [])
    return arguments


def _supervise(sandbox: str, child: list[str], options: ProbeOptions) -> tuple[dict | None, str]:
    """Run the supervisor; its envelope (None when it gave none) and its own stderr."""
    command = [sys.executable, "-m", "kerlint.probe.supervisor", "--parent", str(os.getpid()), "--scratch", sandbox,
               "--timeout", str(options.timeout_s), "--memory", str(options.memory_bytes),
               "--isolation", options.isolation, "--", *child]
    # PR_SET_PDEATHSIG follows the thread that starts the supervisor: this pool thread waits for it.
    process = subprocess.Popen(command, cwd=sandbox, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, env=environment(sandbox, options.passed_environment),
                               start_new_session=True)
    nonce = secrets.token_hex(32)
    try:
        out, err = process.communicate(nonce.encode(), timeout=options.timeout_s + SUPERVISOR_GRACE_S)
    except subprocess.TimeoutExpired:
        _kill_group(process)
        out, err = process.communicate()
    try:
        envelope = json.loads(out.decode("utf-8", "replace"))
    except ValueError:
        envelope = None
    if not isinstance(envelope, dict) or envelope.get("nonce") != nonce:
        return None, err.decode("utf-8", "replace") or ("the supervisor's answer is not authenticated" if envelope else "")
    return envelope, err.decode("utf-8", "replace")


def _remove(sandbox: str) -> None:
    """rmtree that first makes directories the script chmod-ed to 000 readable again."""
    def unlock(function, path, _):
        try:
            os.chmod(os.path.dirname(path), stat.S_IRWXU)
            os.chmod(path, stat.S_IRWXU)
            function(path)
        except OSError:
            pass

    shutil.rmtree(sandbox, onerror=unlock)


def probe_file(path: Path | None, shown: str, codes: set[str], options: ProbeOptions) -> FileProbe:
    """Run the confined child for one file (or for --model when `path` is None); never raises."""
    result = FileProbe(shown)
    sandbox = tempfile.mkdtemp(prefix="kerlint-probe-")
    start = time.monotonic()
    try:
        envelope, supervisor_errors = _supervise(sandbox, _child_arguments(path, codes, options), options)
        result.seconds = round(time.monotonic() - start, 2)
        if envelope is None:
            last = supervisor_errors.strip().splitlines()[-1:] or ["no output"]
            result.notes.append(f"probe supervisor failed: {last[0][:300]}")
            return result
        _read_envelope(result, envelope, options)
    except OSError as error:
        result.notes.append(f"probe could not start: {error}")
    finally:
        _remove(sandbox)
    return result


def _read_envelope(result: FileProbe, envelope: dict, options: ProbeOptions) -> None:
    result.stdout, result.stderr = str(envelope.get("stdout") or ""), str(envelope.get("stderr") or "")
    result.isolation = [layer for layer in envelope.get("layers") or [] if isinstance(layer, dict)]
    if envelope.get("refused"):
        result.refused = True
        result.notes.append(f"not run: {envelope['refused']}")
        return
    try:
        result.document = validate(json.loads(envelope["document"])) if envelope.get("document") else None
    except (ValueError, RecursionError) as error:  # SchemaError is a ValueError, and so is bad JSON
        reason = str(error) if isinstance(error, SchemaError) else f"not JSON ({type(error).__name__}: {error})"
        result.notes.append(f"probe result rejected: {reason[:300]}")
    if envelope.get("document_overflow"):
        result.notes.append("probe result rejected: a document over the size limit")
    stage = (result.document or {}).get("stage", "starting")
    if envelope.get("timed_out"):
        result.notes.append(f"probe stopped after the {options.timeout_s:g} s time limit while {stage}")
    elif envelope.get("signal"):
        name = str(envelope["signal"])
        result.notes.append(f"probe process was killed by signal {name} while {stage}"
                            + (" (out of memory?)" if name in ("SIGKILL", "SIGSEGV") else ""))
    elif result.document is None and not result.notes:
        last = result.stderr.strip().splitlines()[-1:] or ["no output"]
        result.notes.append(f"probe process ended (exit code {envelope.get('exit')}) without a report: {last[0][:300]}")
    if envelope.get("lingering"):
        result.notes.append(f"{envelope['lingering']} process(es) the script left running were killed")
    if result.document:
        result.notes = result.document.get("notes", []) + result.notes


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
