"""The probe's OS confinement against hostile training scripts (the attacks README's security section
names): writes through every API, processes that detach, signals and writes to kerlint, forged and
malformed results, raised limits, secrets, the network. Each test runs where this machine's kernel
allows the layer it needs and is skipped with the reason where it does not; the fallbacks are tested
under a real seccomp filter that makes the kernel refuse Landlock / unshare (tests/seccomp_exec.py).

These run as whatever user runs the suite; CI runs as root, which is the harder case: root passes every
file permission check, so nothing but the confinement stops these writes and signals.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import socket
import sys
import tempfile
import time
from pathlib import Path

import pytest

from clirun import REPO, kerlint
from kerlint.probe import confine
from kerlint.probe.options import ProbeOptions
from kerlint.probe.runner import probe_files
from kerlint.probe.schema import SchemaError, validate
from kerlint.probe.session import REPOSITORY_CAPS, options_from
from kerlint.probe.verdicts import CONFIRMED, INCONCLUSIVE

HAS_KERAS = importlib.util.find_spec("tensorflow") is not None and importlib.util.find_spec("keras") is not None
needs_keras = pytest.mark.skipif(not HAS_KERAS, reason="the probe needs TensorFlow and Keras: pip install 'kerlint[keras]'")
LINUX = sys.platform.startswith("linux")


def _kernel() -> dict[str, bool]:
    """Which layers this kernel grants an unprivileged process, tried in a forked child."""
    if not LINUX:
        return {}
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        layers = {layer.name: layer.applied for layer in confine.enter_namespaces()}
        os.write(write, json.dumps(layers).encode())
        os._exit(0)
    os.close(write)
    data = os.read(read, 4096)
    os.close(read)
    os.waitpid(pid, 0)
    return {**json.loads(data or b"{}"), "landlock": confine.landlock_abi() > 0, "signal scoping": confine.landlock_abi() >= 6}


KERNEL = _kernel()


def needs(*layers: str):
    missing = [layer for layer in layers if not KERNEL.get(layer)]
    return pytest.mark.skipif(bool(missing), reason=f"this kernel does not allow: {', '.join(missing)}")


def _running(marker: str) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as handle:
                command = handle.read()
            with open(f"/proc/{entry}/stat", "rb") as handle:
                state = handle.read().rsplit(b")", 1)[1].split()[0]
        except (OSError, ValueError, IndexError):
            continue
        if marker.encode() in command and state != b"Z" and int(entry) != os.getpid():
            found.append(int(entry))
    return found


def _snapshot(*folders: Path) -> dict[str, tuple]:
    """Every entry under the folders: type, mode, size, mtime and (files) content."""
    seen = {}
    for folder in folders:
        for root, dirs, files in os.walk(folder):
            for name in dirs + files:
                path = os.path.join(root, name)
                info = os.lstat(path)
                content = Path(path).read_bytes() if os.path.isfile(path) and not os.path.islink(path) else b""
                seen[path] = (info.st_mode, info.st_size, info.st_mtime_ns, content)
    return seen


def _result(probe) -> dict:
    lines = [line for line in probe.stdout.splitlines() if line.startswith("RESULT ")]
    assert lines, (probe.notes, probe.stdout[-2000:], probe.stderr[-2000:])
    return json.loads(lines[-1][len("RESULT "):])


# --- writes -------------------------------------------------------------------------------------

WRITES = r'''
import ctypes, io, json, os, pathlib, posix, subprocess
import h5py
import keras
import tensorflow as tf

TARGETS, VICTIM = {targets!r}, {victim!r}
results = {{}}


def attempt(name, action):
    try:
        if action() is False:
            raise OSError("failed")
        results[name] = "done"
    except BaseException as error:
        results[name] = type(error).__name__


model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
model.compile(loss="mse", optimizer="sgd")
libc = ctypes.CDLL(None)
for where in TARGETS:
    at = lambda name: os.path.join(where, name)
    attempt(where + " Path.touch", lambda: pathlib.Path(at("touch.txt")).touch())
    attempt(where + " os.open", lambda: os.close(os.open(at("os_open.txt"), os.O_CREAT | os.O_WRONLY)))
    attempt(where + " io.FileIO", lambda: io.FileIO(at("fileio.txt"), "w").close())
    attempt(where + " subprocess", lambda: subprocess.run(["touch", at("subprocess.txt")], check=True))
    attempt(where + " os.system", lambda: os.system("touch " + at("system.txt")) == 0)
    attempt(where + " ctypes open", lambda: libc.open(at("ctypes.txt").encode(), 0o101, 0o644) >= 0)
    attempt(where + " mkdir", lambda: posix.mkdir(at("folder")))
    attempt(where + " symlink", lambda: posix.symlink("/etc/passwd", at("link")))
    attempt(where + " mkfifo", lambda: posix.mkfifo(at("fifo")))
    attempt(where + " tf.io.write_file", lambda: tf.io.write_file(at("tf.txt"), "x"))
    attempt(where + " h5py", lambda: h5py.File(at("file.h5"), "w").close())
    attempt(where + " model.export", lambda: model.export(at("exported")))
    attempt(where + " checkpoint", lambda: tf.train.Checkpoint(model=model).write(at("checkpoint")))
attempt("truncate", lambda: posix.truncate(VICTIM, 0))
attempt("chmod", lambda: posix.chmod(VICTIM, 0o777))
attempt("utime", lambda: posix.utime(VICTIM, (0, 0)))
attempt("append", lambda: posix.write(posix.open(VICTIM, os.O_WRONLY | os.O_APPEND), b"x"))
attempt("rename", lambda: posix.rename(VICTIM, VICTIM + ".moved"))
attempt("link", lambda: posix.link(VICTIM, VICTIM + ".hard"))
attempt("unlink", lambda: posix.unlink(VICTIM))
attempt("scratch", lambda: open("allowed.txt", "w").write("x"))
print("RESULT " + json.dumps(results), flush=True)
'''


@needs_keras
@needs("landlock")
def test_writes_through_every_api_stay_in_scratch(tmp_path, monkeypatch):
    """Into the script's folder, kerlint's cwd and $HOME: Python, a subprocess, the shell, libc through
    ctypes, TensorFlow, h5py, Keras export and checkpoints; truncate/chmod/utime/rename/link/unlink of an
    existing file. Only the scratch directory takes the write."""
    pytest.importorskip("h5py")
    repo, cwd, home = tmp_path / "repo", tmp_path / "cwd", tmp_path / "home"
    for folder in (repo, cwd, home):
        folder.mkdir()
    victim = home / "victim.txt"
    victim.write_text("precious\n")
    script = repo / "writes.py"
    script.write_text(WRITES.format(targets=[str(repo), str(cwd), str(home)], victim=str(victim)))
    monkeypatch.chdir(cwd)
    monkeypatch.setenv("HOME", str(home))
    before = _snapshot(repo, cwd, home)
    (probe,) = probe_files([(script, "writes.py", set())], ProbeOptions(timeout_s=120))
    results = _result(probe)
    assert _snapshot(repo, cwd, home) == before
    assert results.pop("scratch") == "done"  # the sandbox is not merely broken
    assert {name for name, outcome in results.items() if outcome == "done"} == set()
    assert len(results) == 3 * 13 + 7
    assert victim.read_text() == "precious\n"


# --- processes ----------------------------------------------------------------------------------

DETACH = r'''
import os, subprocess, time
import keras
# model.compile(

MARK = {mark!r}
subprocess.Popen(["sleep", MARK + "1"], start_new_session=True)
subprocess.Popen(["sleep", MARK + "2"], preexec_fn=lambda: os.setpgid(0, 0))
if os.fork() == 0:  # a daemon: double fork, new session, writes later from a fresh interpreter
    os.setsid()
    if os.fork() == 0:
        os.execvp("sh", ["sh", "-c", "sleep 2; touch {late}; sleep " + MARK + "3"])
    os.abort()
print("RESULT {{}}", flush=True)
'''


def _detach_script(tmp_path: Path, mark: str) -> Path:
    script = tmp_path / "detach.py"
    script.write_text(DETACH.format(mark=mark, late=tmp_path / "late.txt"))
    return script


@needs_keras
@pytest.mark.skipif(not LINUX, reason="process adoption (PR_SET_CHILD_SUBREAPER) and /proc are Linux's")
def test_detached_processes_end_with_the_probe(tmp_path):
    """setsid, setpgid, start_new_session and a double-forked daemon: none outlives the probe (the PID
    namespace ends them; without one, the supervisor adopts and kills them)."""
    mark = f"77{os.getpid()}.5"
    script = _detach_script(tmp_path, mark)
    (probe,) = probe_files([(script, "detach.py", set())], ProbeOptions(timeout_s=60))
    assert _result(probe) == {}
    assert _running(mark) == []
    time.sleep(3)  # the daemon would have written by now
    assert sorted(p.name for p in tmp_path.iterdir()) == ["detach.py"]
    if KERNEL.get("pid namespace"):
        assert any(layer["name"] == "pid namespace" and layer["applied"] for layer in probe.isolation)


# --- kerlint itself -----------------------------------------------------------------------------

ATTACK_PARENT = r'''
import os, signal
import keras
# model.compile(

MARK = {mark!r}
for entry in os.listdir("/proc"):
    if not entry.isdigit() or int(entry) == os.getpid():
        continue
    try:
        with open(f"/proc/{{entry}}/cmdline", "rb") as handle:
            if MARK.encode() not in handle.read():
                continue
    except OSError:
        continue
    for fd in (1, 2):
        try:
            with open(f"/proc/{{entry}}/fd/{{fd}}", "w") as stream:
                stream.write("\x1b[2J\x1b]0;owned\x07FORGED\n")
        except OSError:
            pass
    for number in (signal.SIGSTOP, signal.SIGKILL):
        try:
            os.kill(int(entry), number)
        except OSError:
            pass
for number in (signal.SIGSTOP, signal.SIGKILL):
    try:
        if os.getppid() > 1:  # 0 inside a PID namespace
            os.kill(os.getppid(), number)
    except OSError:
        pass
print("\x1b[2J\x1b]0;owned\x07 on stdout", flush=True)
raise RuntimeError("\x1b]0;owned\x07\x1b[31m red")
'''


@needs_keras
@needs("pid namespace", "landlock")
def test_the_script_cannot_signal_kerlint_or_write_to_its_terminal(tmp_path):
    """SIGSTOP/SIGKILL to kerlint and the supervisor, writes to their /proc/PID/fd/1 and 2, escape codes
    in the script's output and exception: kerlint finishes, prints its own JSON, and nothing the script
    wrote reaches the terminal unescaped."""
    mark = str(tmp_path)  # in kerlint's and the supervisor's command lines
    (tmp_path / "attack.py").write_text(ATTACK_PARENT.format(mark=mark))
    result = kerlint("check", "--probe", "--output-format", "json", "attack.py", cwd=tmp_path, timeout=180)
    assert result.code == 0, result.err
    assert json.loads(result.out) == []
    assert "FORGED" not in result.out + result.err and "\x1b" not in result.out + result.err
    assert "attack.py: the script failed at attack.py:" in result.err
    assert ": RuntimeError: \\x1b]0;owned\\x07\\x1b[31m red" in result.err
    assert "kerlint: probe: isolation: " in result.err


# --- results ------------------------------------------------------------------------------------

RELU_HEAD = (
    "import numpy as np\nimport keras\n"
    "model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, activation='relu')])\n"
    "model.compile(loss='categorical_crossentropy', optimizer='adam')\n"
)
FORGE = RELU_HEAD + r'''
import gc, json
forged = {"file": "good.py", "stage": "done", "notes": [], "models": [{"class": "Sequential", "findings": [],
          "probe": {"trajectory": [{"step": 0, "loss": "nan", "grad_norm": "nan"}], "seconds": 1.0, "device": "CPU"}}]}
for thing in gc.get_objects():
    if type(thing).__name__ == "Output" and hasattr(thing, "channel"):
        thing.write = lambda out=thing: (out.channel.write(json.dumps(forged).encode() + b"\n"), out.channel.flush())
'''
MALFORMED = RELU_HEAD + r'''
import os, posix
for fd in range(3, 64):
    try:
        if os.readlink(f"/proc/self/fd/{fd}").startswith("pipe:"):
            os.write(fd, b'{"notes": [], "models": [{"findings": [{"line": 1, "col": 0, "message": "x"}]}]}\n')
    except OSError:
        pass
posix._exit(0)
'''


@needs_keras
def test_forged_and_malformed_results_cost_only_their_own_file(tmp_path):
    """One script forges a NaN run for itself claiming to be good.py; one writes a result without a
    finding code (a KeyError in the parent before); good.py keeps its own measured verdict."""
    shutil.copy(REPO / "fixtures" / "modern" / "modern_003_relu_categorical.py", tmp_path / "good.py")
    (tmp_path / "forge.py").write_text(FORGE)
    (tmp_path / "malformed.py").write_text(MALFORMED)
    result = kerlint("check", "--probe", "--select", "KL101", "--output-format", "json", "good.py", "forge.py",
                     "malformed.py", cwd=tmp_path, timeout=300)
    assert result.code == 1, result.err
    verdicts = {finding["filename"]: finding["probe"] for finding in json.loads(result.out)}
    assert verdicts["good.py"]["verdict"] == CONFIRMED and verdicts["good.py"]["evidence"].startswith("loss NaN at step")
    assert verdicts["malformed.py"]["verdict"] == INCONCLUSIVE
    assert "probe result rejected: document.models[0].findings[0].code: missing" in verdicts["malformed.py"]["evidence"]
    assert verdicts["forge.py"]["evidence"] == "loss NaN at step 0"  # a script can lie about its own model, and only that
    assert "malformed.py: probe result rejected: document.models[0].findings[0].code: missing" in result.err


def test_schema_rejects_what_the_parent_could_not_read():
    good = {"file": "t.py", "stage": "done", "notes": [], "models": [{"findings": [
        {"code": "KL101", "line": 3, "col": 0, "message": "m", "related": [{"line": 2, "message": "r"}]}],
        "data": {"targets": {"min": -1.0, "max": 2.0}}, "probe": {"trajectory": [{"step": 0, "loss": "nan", "grad_norm": 1.5}]}}]}
    assert validate(good) == good
    assert validate({"notes": ["\x1b[2J"], "models": []})["notes"] == ["\\x1b[2J"]
    cases = {
        "document: expected an object, got list": [],
        "document.models: missing": {"notes": []},
        "document.models[0].findings[0].line: expected int, got str": {"notes": [], "models": [{"findings": [
            {"code": "KL101", "line": "3", "col": 0, "message": "m"}]}]},
        "document.models[0].probe.trajectory[0].loss: expected a number, got 'zero'": {"notes": [], "models": [
            {"probe": {"trajectory": [{"step": 0, "loss": "zero", "grad_norm": 1}]}}]},
        "document.models[0].data.targets.min: null": {"notes": [], "models": [{"data": {"targets": {"min": None, "max": 1}}}]},
        "document.notes[0]: expected str, got int": {"notes": [1], "models": []},
    }
    deep: list = []
    for _ in range(5000):
        deep = [deep]
    cases["document: nested too deeply"] = {"notes": [], "models": [], "extra": deep}
    for message, document in cases.items():
        with pytest.raises(SchemaError) as raised:
            validate(document)
        assert str(raised.value) == message


# --- limits, environment, network ---------------------------------------------------------------

LIMITS = r'''
import json, os, resource, socket
import keras

out = {{}}
for name in ("RLIMIT_AS", "RLIMIT_DATA", "RLIMIT_NPROC", "RLIMIT_FSIZE"):
    try:
        resource.setrlimit(getattr(resource, name), (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
        out[name] = "raised"
    except (ValueError, OSError):
        out[name] = "refused"
out["secret"] = os.environ.get("KERLINT_TEST_SECRET")
out["passed"] = os.environ.get("KERLINT_TEST_PASSED")
connection = socket.socket()
connection.settimeout(3)
try:
    connection.connect(("127.0.0.1", {port}))
    out["connect"] = "connected"
except OSError as error:
    out["connect"] = type(error).__name__
print("RESULT " + json.dumps(out), flush=True)
'''


@needs_keras
@needs("user namespace", "network namespace")
def test_limits_cannot_be_raised_secrets_are_removed_and_there_is_no_network(tmp_path, monkeypatch):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.setblocking(False)
    (tmp_path / "limits.py").write_text(LIMITS.format(port=listener.getsockname()[1]))
    monkeypatch.setenv("KERLINT_TEST_SECRET", "s3cret")
    monkeypatch.setenv("KERLINT_TEST_PASSED", "given")
    options = ProbeOptions(timeout_s=60, memory_bytes=2 * 1024**3, passed_environment=("KERLINT_TEST_PASSED",))
    (probe,) = probe_files([(tmp_path / "limits.py", "limits.py", set())], options)
    result = _result(probe)
    assert result == {"RLIMIT_AS": "refused", "RLIMIT_DATA": "refused", "RLIMIT_NPROC": "refused", "RLIMIT_FSIZE": "refused",
                      "secret": None, "passed": "given", "connect": result["connect"]}
    assert result["connect"] != "connected"
    with pytest.raises(BlockingIOError):
        listener.accept()
    listener.close()


MEMORY = r"""
import json, mmap
out = {}
chunk = 256 * 1024**2
maps = []
try:  # private memory, touched: what RLIMIT_DATA counts
    while True:
        maps.append(bytearray(chunk))
except MemoryError:
    out["private"] = len(maps) * chunk
maps.clear()
try:  # shared anonymous memory, only mapped: RLIMIT_DATA does not count it, the RLIMIT_AS backstop does
    while True:
        maps.append(mmap.mmap(-1, chunk, flags=mmap.MAP_SHARED | mmap.MAP_ANONYMOUS))
except OSError as error:
    out["shared"] = len(maps) * chunk
    out["shared_error"] = type(error).__name__
print("RESULT " + json.dumps(out), flush=True)
"""


@pytest.mark.skipif(not LINUX or confine.gpu_present(), reason="the CPU limits (RLIMIT_DATA + an RLIMIT_AS backstop) are Linux's, without a GPU")
def test_memory_limit_counts_private_memory_and_bounds_shared_memory(tmp_path):
    """RLIMIT_DATA stops what a script allocates at the memory limit (so libraries' code and reserved address
    space do not count against it: TensorFlow loads next to PyTorch in 4 GiB); shared memory, which it does not
    count, is still bounded by the RLIMIT_AS backstop."""
    (tmp_path / "memory.py").write_text(MEMORY)
    memory = 1024**3
    (probe,) = probe_files([(tmp_path / "memory.py", "memory.py", set())], ProbeOptions(timeout_s=60, memory_bytes=memory))
    result = _result(probe)
    assert memory // 2 <= result["private"] < memory, result
    assert result["shared_error"] == "OSError" and result["shared"] < confine.address_space(memory), result


def test_repository_limits_are_capped_and_the_command_line_raises_them():
    warnings = []
    config = {"timeout_s": 1e9, "memory_bytes": 1024**4, "steps": 10, "jobs": 64}
    options = options_from(object(), config, warn=warnings.append)
    assert options.timeout_s == REPOSITORY_CAPS["timeout_s"][0] == 300.0
    assert options.memory_bytes == 16 * 1024**3 and options.jobs == 8 and options.steps == 10
    assert warnings[0] == ("[tool.kerlint.probe] timeout = 1e+09 s is over what a repository may set; using timeout = 300 s "
                           "(raise it on the command line: --probe-timeout / --probe-memory-mib)")
    assert "memory-mib = 1.04858e+06 is over what a repository may set; using memory-mib = 16384" in warnings[1]

    class Args:
        probe_timeout, probe_memory_mib, probe_isolation, probe_env = 900.0, 65536, "strict", ["HF_TOKEN"]

    options = options_from(Args(), config, warn=warnings.append)
    assert (options.timeout_s, options.memory_bytes) == (900.0, 64 * 1024**3)
    assert options.isolation == "strict" and options.passed_environment == ("HF_TOKEN",)


def test_a_huge_limit_in_pyproject_is_capped_on_the_command_line(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.kerlint.probe]\nmemory-mib = 1048576\n")
    (tmp_path / "plain.py").write_text("x = 1\n")
    result = kerlint("check", "--probe", "plain.py", cwd=tmp_path)
    assert result.code == 0
    assert "kerlint: warning: [tool.kerlint.probe] memory-mib = 1.04858e+06 is over what a repository may set" in result.err


# --- where the kernel says no ---------------------------------------------------------------------

SECCOMP = [sys.executable, str(Path(__file__).with_name("seccomp_exec.py"))]


@needs_keras
@pytest.mark.skipif(not LINUX, reason="seccomp filters are Linux's")
def test_without_landlock_and_namespaces_the_probe_says_what_it_could_not_apply(tmp_path):
    """The kernel refuses Landlock and unshare: the probe still runs, names each missing layer, and
    the supervisor still ends what the script detached."""
    mark = f"78{os.getpid()}.5"
    _detach_script(tmp_path, mark)
    (tmp_path / "detach.py").write_text((tmp_path / "detach.py").read_text().replace("touch ", "true "))
    result = kerlint("check", "--probe", "detach.py", cwd=tmp_path, timeout=180,
                     prefix=[*SECCOMP, "landlock,unshare", "--"])
    assert result.code == 0, result.err
    assert "not applied: user namespace, pid namespace, mount namespace, network namespace (unshare(" in result.err
    assert "landlock, signal scoping (the kernel has no Landlock" in result.err
    assert "process(es) the script left running were killed" in result.err
    assert _running(mark) == []


@needs_keras
@pytest.mark.skipif(not LINUX, reason="seccomp filters are Linux's")
def test_strict_isolation_refuses_to_run_without_landlock(tmp_path):
    (tmp_path / "train.py").write_text(RELU_HEAD + "open(__file__ + '.ran', 'w').write('x')\n")
    result = kerlint("check", "--probe", "--probe-isolation=strict", "--select", "KL101", "train.py", cwd=tmp_path,
                     timeout=180, prefix=[*SECCOMP, "landlock", "--"])
    assert result.code == 2
    assert "train.py: not run: --probe-isolation=strict and landlock could not be applied" in result.err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["train.py"]


# --- kerlint killed -------------------------------------------------------------------------------

HANGS = RELU_HEAD + "import time\nwhile True:\n    time.sleep(1)\n"


def _wait(predicate, timeout: float):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = predicate()
        if found:
            return found
        time.sleep(0.2)
    return predicate()


def _start_hanging_probe(tmp_path: Path):
    import subprocess

    (tmp_path / "hangs.py").write_text(HANGS)
    return subprocess.Popen([sys.executable, "-m", "kerlint", "check", "--probe", "hangs.py"], cwd=tmp_path,
                            env={**os.environ, "PYTHONPATH": str(REPO)}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


@needs_keras
@pytest.mark.skipif(not LINUX, reason="PR_SET_PDEATHSIG is Linux's")
def test_killing_kerlint_kills_the_probe(tmp_path):
    """SIGKILL to kerlint (as a CI timeout sends): the supervisor and the script end with it."""
    kerlint_process = _start_hanging_probe(tmp_path)
    tree = _wait(lambda: len(_running(str(tmp_path))) >= 3 and _running(str(tmp_path)), 60)  # supervisor, its fork, the script
    assert tree, "the probe did not start"
    kerlint_process.kill()
    kerlint_process.wait()
    assert _wait(lambda: not _running(str(tmp_path)), 10)


@needs_keras
@pytest.mark.skipif(not LINUX, reason="PR_SET_PDEATHSIG is Linux's")
def test_a_probe_started_by_the_editor_dies_with_the_editor(tmp_path):
    """`KERLINT_DIE_WITH_PARENT` (set by the language server's probe on save): when the server is killed,
    `kerlint check --probe` and its whole tree go too."""
    import subprocess

    name = f"hangs_{os.getpid()}.py"
    (tmp_path / name).write_text(HANGS)
    server = subprocess.Popen([sys.executable, "-c", (
        "import os, subprocess, sys, time\n"
        f"subprocess.Popen([sys.executable, '-m', 'kerlint', 'check', '--probe', '{name}'],\n"
        "                 env={**os.environ, 'KERLINT_DIE_WITH_PARENT': str(os.getpid())}, start_new_session=True)\n"
        "time.sleep(600)\n")], cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert _wait(lambda: len(_running(str(tmp_path))) >= 3, 60), "the probe did not start"
    server.kill()
    server.wait()
    assert _wait(lambda: not _running(str(tmp_path)), 10)
    assert not _running(name)  # kerlint check itself (its command line names the file relatively)


# --- as an unprivileged user ----------------------------------------------------------------------


def _python_for(uid: int) -> str | None:
    """An interpreter the user can run (this one, else the system's), or None."""
    import subprocess

    for candidate in (sys.executable, "/usr/bin/python3"):
        if not os.path.exists(candidate):
            continue
        try:
            done = subprocess.run([candidate, "-c", "import json"], capture_output=True,
                                  preexec_fn=_as(uid) if uid != os.getuid() else None)
        except OSError:  # not executable for that user
            continue
        if done.returncode == 0:
            return candidate
    return None


def _as(uid: int):
    def drop() -> None:
        os.setgroups([])
        os.setgid(uid)
        os.setuid(uid)
    return drop


UNPRIVILEGED = 65534 if LINUX and os.geteuid() == 0 else os.getuid() if LINUX else None


@pytest.mark.skipif(not LINUX, reason="the layers are Linux's")
@needs("user namespace", "landlock")
def test_an_unprivileged_user_gets_every_layer(tmp_path):
    """The path real users take: no capability anywhere, so the uid map must be written by the process
    itself (a non-dumpable process can't). As root, the supervisor runs as uid 65534; the script's
    interpreter need not have Keras, the layers are reported before it starts."""
    import subprocess

    python = _python_for(UNPRIVILEGED)
    if python is None:
        pytest.skip(f"no Python interpreter uid {UNPRIVILEGED} can run (e.g. a virtualenv under /root)")
    scratch = Path(tempfile.mkdtemp(prefix="kerlint-unprivileged-"))
    try:
        if os.geteuid() == 0:
            os.chown(scratch, UNPRIVILEGED, UNPRIVILEGED)
        done = subprocess.run(
            [python, "-m", "kerlint.probe.supervisor", "--parent", str(os.getpid()), "--scratch", str(scratch),
             "--timeout", "30", "--isolation", "strict", "--", os.devnull],
            input=b"n" * 64, capture_output=True, cwd=scratch, env={"PYTHONPATH": str(REPO), "PATH": os.environ.get("PATH", "")},
            preexec_fn=_as(UNPRIVILEGED) if os.geteuid() == 0 else None, timeout=60)
        envelope = json.loads(done.stdout)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    layers = {layer["name"]: layer for layer in envelope["layers"]}
    assert envelope["refused"] is None, envelope["layers"]
    expected = {name for name, allowed in KERNEL.items() if allowed} | {"read-only mounts", "private /proc", "no new privileges"}
    assert {name for name, layer in layers.items() if layer["applied"]} >= expected, layers
    assert layers["user namespace"]["detail"].startswith(f"uid {UNPRIVILEGED} runs as uid {UNPRIVILEGED or 65534}")
