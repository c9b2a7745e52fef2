"""`python seccomp_exec.py landlock,unshare -- COMMAND...`: run COMMAND where the kernel refuses those
system calls (ENOSYS for Landlock, as a kernel without it answers; EPERM for unshare, as a machine that
forbids unprivileged user namespaces answers). A real seccomp filter, inherited by every descendant:
the probe's fallbacks are tested against the kernel's answers, not a patched Python."""

from __future__ import annotations

import ctypes
import errno
import os
import platform
import struct
import sys

NUMBERS = {  # x86_64, aarch64
    "landlock": ({444, 445, 446}, {444, 445, 446}, errno.ENOSYS),
    "unshare": ({272}, {97}, errno.EPERM),
}
PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 38, 22, 2
LD_NR, JEQ, RET = 0x20, 0x15, 0x06
ALLOW, ERRNO = 0x7FFF0000, 0x00050000


class _Program(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def install(names: list[str]) -> None:
    arm = platform.machine() in ("aarch64", "arm64")
    rules = [(nr, code) for name in names for nr in NUMBERS[name][1 if arm else 0] for code in [NUMBERS[name][2]]]
    instructions = [(LD_NR, 0, 0, 0)]
    for nr, code in rules:
        instructions += [(JEQ, 0, 1, nr), (RET, 0, 0, ERRNO | code)]
    instructions.append((RET, 0, 0, ALLOW))
    raw = b"".join(struct.pack("HBBI", *instruction) for instruction in instructions)
    buffer = ctypes.create_string_buffer(raw)
    program = _Program(len(instructions), ctypes.cast(buffer, ctypes.c_void_p))
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) or libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(program), 0, 0):
        raise OSError(ctypes.get_errno(), "seccomp filter not installed")


if __name__ == "__main__":
    separator = sys.argv.index("--")
    install(sys.argv[1].split(","))
    command = sys.argv[separator + 1:]
    os.execvp(command[0], command)
