"""The probe's trusted supervisor: `python -m kerlint.probe.supervisor --parent PID ... -- CHILD ARGS`.

kerlint (multi-threaded, so it must not fork) starts one supervisor per file in a new session. The
supervisor dies with kerlint (PR_SET_PDEATHSIG), adopts every orphan of its tree (subreaper) and holds
the result channel, its own stdout. It forks:

    supervisor ── W1: unshares the namespaces, writes the uid/gid maps, waits ── W2: PID 1 of the new
    PID namespace; mounts, limits, Landlock; exec `python -m kerlint.probe.child` (the user's script)

W1 and W2 run only this file's code until the exec, and report the layers they applied on a
close-on-exec pipe: the script never holds it, nor the result channel. The script writes its
measurements, one JSON document a line, to a pipe the supervisor reads (size-capped, last complete
line kept) until the deadline. Then every descendant is killed and one JSON envelope goes to stdout:
{layers, refused, exit, signal, timed_out, lingering, document (the script's text, unparsed), stdout,
stderr, and kerlint's per-run nonce: where no layer hides this process from the script, a forged envelope
still lacks it}. The parent validates the document; nothing the script wrote is trusted beyond its own
models.
"""

from __future__ import annotations

import argparse
import json
import os
import select
import signal
import sys
import time

from kerlint.probe import confine

MAX_DOCUMENT = 32 * 1024**2  # bytes of one measurement document
MAX_OUTPUT = 16_384  # bytes of the script's stdout/stderr kept
REFUSED_EXIT = 70


def _status(fd: int, record: dict) -> None:
    os.write(fd, (json.dumps(record) + "\n").encode())


def _outer(args, st_w: int, out_w: int, out_files: tuple[int, int]) -> None:
    """W1: namespaces, then PID 1 of them; exits with W2's status (128 + signal when killed)."""
    confine.die_with_parent(args.supervisor)
    os.setpgid(0, 0)  # a process group of its own: all there is to kill where there is no /proc
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):  # not the result channel
        os.dup2(null, fd)
    os.close(null)
    confine.dumpable()  # a non-dumpable process can't write its own /proc/self/uid_map unless it is root
    layers = confine.enter_namespaces()
    for layer in layers:
        _status(st_w, {"layer": layer.json()})
    applied = {layer.name for layer in layers if layer.applied}
    supervisor_side = os.getpid()
    inner = os.fork()
    if inner == 0:
        try:
            _inner(args, st_w, out_w, out_files, applied, supervisor_side)
        finally:
            os._exit(REFUSED_EXIT)
    for fd in (st_w, out_w, *out_files):  # from here on W1 holds nothing the script could write into
        os.close(fd)
    _, status = os.waitpid(inner, 0)
    os._exit(128 + os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status))


def _inner(args, st_w: int, out_w: int, out_files: tuple[int, int], applied: set[str], parent: int) -> None:
    """W2: finish confining this process, then exec the child; the script runs after the exec."""
    confine.die_with_parent(parent)  # (getppid() reads 0 inside the new PID namespace: the result is moot)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(out_files[0], 1)  # the result channel (our stdout) is no longer held after this
    os.dup2(out_files[1], 2)
    for fd in (null, *out_files):
        os.close(fd)
    layers, private_shm = confine.private_mounts(args.scratch, "user namespace" in applied)
    layers.append(confine.limits(args.memory, "user namespace" in applied))
    layers.append(confine.no_new_privileges())
    writable_files = [os.devnull, "/dev/zero", "/dev/full"]
    writable_files += [os.path.join("/dev", name) for name in _listdir("/dev") if name.startswith(("nvidia", "dri"))]
    layers += confine.landlock([args.scratch] + (["/dev/shm"] if private_shm else []), writable_files)
    for layer in layers:
        _status(st_w, {"layer": layer.json()})
    applied |= {layer.name for layer in layers if layer.applied}
    missing = [name for name in confine.STRONG if name not in applied]
    if args.isolation == "strict" and missing:
        _status(st_w, {"refused": f"--probe-isolation=strict and {', '.join(missing)} could not be applied"})
        os._exit(REFUSED_EXIT)
    os.set_inheritable(out_w, True)
    command = [sys.executable, "-m", "kerlint.probe.child", *args.child, "--out-fd", str(out_w)]
    os.execve(sys.executable, command, dict(os.environ))


def _listdir(path: str) -> list[str]:
    try:
        return os.listdir(path)
    except OSError:
        return []


def _descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in _listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as handle:
                    parent = int(handle.read().rsplit(b")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(parent, []).append(int(entry))
    found, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _reap() -> None:
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def kill_tree() -> int:
    """SIGKILL every descendant (orphans are ours as the subreaper) until none is left; how many."""
    killed: set[int] = set()
    for _ in range(200):
        found = _descendants(os.getpid())
        if not found:
            break
        for pid in found:
            try:
                os.kill(pid, signal.SIGKILL)
                killed.add(pid)
            except ProcessLookupError:
                pass
        _reap()
        time.sleep(0.01)
    return len(killed)


def _tail(fd: int) -> str:
    size = os.lseek(fd, 0, os.SEEK_END)
    os.lseek(fd, max(0, size - MAX_OUTPUT), os.SEEK_SET)
    text = os.read(fd, MAX_OUTPUT).decode("utf-8", "replace")
    return ("[...]\n" if size > MAX_OUTPUT else "") + text


class _Lines:
    """Line-framed reader with a size cap: keeps the last complete line."""

    def __init__(self, keep: bool = False) -> None:
        self.buffer, self.last, self.overflow, self.lines, self.keep = b"", None, False, [], keep

    def feed(self, data: bytes) -> None:
        self.buffer += data
        *lines, self.buffer = self.buffer.split(b"\n")
        for line in lines:
            if line.strip():
                self.last = line
                if self.keep:
                    self.lines.append(line)
        if len(self.buffer) > MAX_DOCUMENT:
            self.buffer, self.overflow = b"", True


def _take(fd: int, open_fds: dict, lines: "_Lines") -> bool:
    """Read what is there into `lines`; False at end of file (or nothing more to read now)."""
    try:
        data = os.read(fd, 1 << 16)
    except BlockingIOError:
        return False
    if not data:
        return False
    lines.feed(data)
    return True


def supervise(args) -> dict:
    deadline = time.monotonic() + args.timeout
    st_r, st_w = os.pipe()
    out_r, out_w = os.pipe()
    out_files = tuple(os.open(os.path.join(args.scratch, name), os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o600)
                      for name in ("stdout.txt", "stderr.txt"))
    args.supervisor = os.getpid()
    outer = os.fork()
    if outer == 0:
        try:
            _outer(args, st_w, out_w, out_files)
        finally:
            os._exit(REFUSED_EXIT)
    os.close(st_w)
    os.close(out_w)
    status, document = _Lines(keep=True), _Lines()
    status_records: list[dict] = []
    open_fds, timed_out, code = {st_r: status, out_r: document}, False, None
    # Until W1 exits (W2, the script's process, has ended) or the deadline: a process the script left
    # holding the pipe open must not keep the probe waiting.
    while code is None:
        left = deadline - time.monotonic()
        if left <= 0:
            timed_out = True
            break
        ready, _, _ = select.select(list(open_fds), [], [], min(left, 0.1))
        for fd in ready:
            if not _take(fd, open_fds, status if fd == st_r else document):
                del open_fds[fd]
        pid, wait_status = os.waitpid(outer, os.WNOHANG)
        if pid:
            code = os.waitstatus_to_exitcode(wait_status)
    for fd in list(open_fds):  # what was written before the end
        os.set_blocking(fd, False)
        while _take(fd, open_fds, status if fd == st_r else document):
            pass
    status_records = [json.loads(line) for line in status.lines]
    if code is None:
        os.kill(outer, signal.SIGKILL)
        os.waitpid(outer, 0)
    try:
        os.killpg(outer, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    lingering = kill_tree()  # without a PID namespace: what the script detached (setsid) and left running
    envelope = {
        "layers": [r["layer"] for r in status_records if "layer" in r],
        "refused": next((r["refused"] for r in status_records if "refused" in r), None),
        # after a timeout everything killed was the probe's own; otherwise what outlived the script
        "timed_out": timed_out, "exit": None, "signal": None, "lingering": 0 if timed_out else lingering,
        "document": document.last.decode("utf-8", "replace") if document.last is not None else None,
        "document_overflow": document.overflow,
        "stdout": _tail(out_files[0]), "stderr": _tail(out_files[1]),
    }
    if code is not None and not timed_out:
        number = -code if code < 0 else code - 128 if code >= 128 else 0
        if number:
            envelope["signal"] = signal.Signals(number).name if number in signal.valid_signals() else str(number)
        else:
            envelope["exit"] = code
    return envelope


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="kerlint.probe.supervisor")
    parser.add_argument("--parent", type=int, required=True)
    parser.add_argument("--scratch", required=True)
    parser.add_argument("--timeout", type=float, required=True)
    parser.add_argument("--memory", type=int, default=0)
    parser.add_argument("--isolation", choices=("auto", "strict"), default="auto")
    parser.add_argument("child", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    args.child = args.child[1:] if args.child[:1] == ["--"] else args.child
    if not confine.die_with_parent(args.parent):
        return 1  # kerlint is already gone
    confine.not_dumpable()  # (the script's process gets its own dumpable flag back at exec)
    confine.become_subreaper()
    envelope = supervise(args)
    # kerlint's per-run secret, read only now: the forks made above never had it in their memory
    envelope["nonce"] = sys.stdin.buffer.read(64).decode("ascii", "replace")
    sys.stdout.write(json.dumps(envelope))
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
