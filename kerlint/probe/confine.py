"""OS-level confinement of the probe's worker, applied by trusted code before the user's script runs.

Linux only, no root needed. Standard library + ctypes on purpose: the layers are a handful of
syscalls (unshare, mount, mount_setattr, prctl, setrlimit, landlock_*), and a dependency here would
have to be installed wherever `--probe` runs and trusted as much as this file. Every layer is tried
separately; one the kernel refuses becomes a `Layer(applied=False, detail=why)` that the result and
`--probe` output name.

Order (see supervisor.py): `enter_namespaces` in the first fork (user, mount, PID, network namespaces
and the uid/gid maps), then in its child, PID 1 of the new PID namespace: `private_mounts` (the
whole tree read-only, the scratch directory and a fresh /dev/shm writable, a /proc of the namespace),
`limits`, `no_new_privileges`, `landlock`, then exec of `python -m kerlint.probe.child`. The exec
runs as a non-zero uid inside the namespace, so the script has no capabilities there either.
"""

from __future__ import annotations

import ctypes
import errno
import os
import resource
import signal
import sys
from dataclasses import dataclass

IS_LINUX = sys.platform.startswith("linux")

CLONE_NEWNS, CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET = 0x00020000, 0x10000000, 0x20000000, 0x40000000
MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_BIND, MS_REC, MS_PRIVATE = 0x2, 0x4, 0x8, 0x1000, 0x4000, 0x40000
PR_SET_PDEATHSIG, PR_SET_DUMPABLE, PR_SET_NO_NEW_PRIVS, PR_SET_CHILD_SUBREAPER = 1, 4, 38, 36
SYS_MOUNT_SETATTR, SYS_LANDLOCK_CREATE_RULESET, SYS_LANDLOCK_ADD_RULE, SYS_LANDLOCK_RESTRICT_SELF = 442, 444, 445, 446
AT_FDCWD, AT_RECURSIVE, MOUNT_ATTR_RDONLY = -100, 0x8000, 0x1

# Landlock filesystem rights (ABI version that added them). Reading and executing stay allowed.
WRITE_FILE, REMOVE_DIR, REMOVE_FILE, MAKE_CHAR, MAKE_DIR, MAKE_REG = 1 << 1, 1 << 4, 1 << 5, 1 << 6, 1 << 7, 1 << 8
MAKE_SOCK, MAKE_FIFO, MAKE_BLOCK, MAKE_SYM, REFER, TRUNCATE = 1 << 9, 1 << 10, 1 << 11, 1 << 12, 1 << 13, 1 << 14
FILE_RIGHTS = WRITE_FILE | TRUNCATE  # the rights that apply to a single file (e.g. /dev/null)
NET_BIND_TCP, NET_CONNECT_TCP = 1 << 0, 1 << 1  # ABI 4
SCOPE_ABSTRACT_UNIX_SOCKET, SCOPE_SIGNAL = 1 << 0, 1 << 1  # ABI 6
LANDLOCK_CREATE_RULESET_VERSION, LANDLOCK_RULE_PATH_BENEATH = 1, 1

STRONG = ("landlock", "user namespace", "pid namespace")  # what --probe-isolation=strict requires


@dataclass
class Layer:
    name: str
    applied: bool
    detail: str

    def json(self) -> dict:
        return {"name": self.name, "applied": self.applied, "detail": self.detail}


def _libc():
    return ctypes.CDLL(None, use_errno=True)


def _fail(what: str) -> str:
    code = ctypes.get_errno()
    return f"{what}: {os.strerror(code)} ({errno.errorcode.get(code, code)})"


def _syscall(number: int, *args) -> int:
    libc = _libc()
    libc.syscall.restype = ctypes.c_long
    return libc.syscall(ctypes.c_long(number), *args)


def _prctl(option: int, value: int) -> bool:
    return _libc().prctl(ctypes.c_int(option), ctypes.c_ulong(value), ctypes.c_ulong(0), ctypes.c_ulong(0),
                         ctypes.c_ulong(0)) == 0


def die_with_parent(expected_parent: int) -> bool:
    """SIGKILL this process when its parent dies; False when the parent is already gone."""
    if IS_LINUX:
        _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    return os.getppid() == expected_parent


def not_dumpable() -> bool:
    """Another process of the same (non-root) user can't open this one's /proc/PID/fd or memory."""
    return IS_LINUX and _prctl(PR_SET_DUMPABLE, 0)


def dumpable() -> bool:
    return IS_LINUX and _prctl(PR_SET_DUMPABLE, 1)


def become_subreaper() -> bool:
    """Orphans of this process's descendants (a script's `setsid` child) are re-parented here."""
    return IS_LINUX and _prctl(PR_SET_CHILD_SUBREAPER, 1)


def landlock_abi() -> int:
    """The kernel's Landlock ABI version; 0 when there is none (or not Linux)."""
    if not IS_LINUX:
        return 0
    version = _syscall(SYS_LANDLOCK_CREATE_RULESET, None, ctypes.c_size_t(0), ctypes.c_uint32(LANDLOCK_CREATE_RULESET_VERSION))
    return max(int(version), 0)


# --- namespaces (first fork) --------------------------------------------------------------------


def _write(path: str, text: str) -> None:
    with open(path, "w") as handle:
        handle.write(text)


def enter_namespaces() -> list[Layer]:
    """Unshare user + mount + PID (+ network) namespaces and map this uid/gid to a non-zero id inside.
    The next fork is PID 1 of the new PID namespace: when it ends, the kernel kills every process left
    in it."""
    if not IS_LINUX:
        return [Layer(n, False, "not Linux") for n in ("user namespace", "pid namespace", "mount namespace", "network namespace")]
    libc = _libc()
    uid, gid = os.geteuid(), os.getegid()
    layers = []
    if libc.unshare(ctypes.c_int(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET)) == 0:
        network = Layer("network namespace", True, "no network interface but a loopback that is down")
    elif libc.unshare(ctypes.c_int(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID)) == 0:
        network = Layer("network namespace", False, _fail("unshare(CLONE_NEWNET)"))
    else:
        why = _fail("unshare(CLONE_NEWUSER|CLONE_NEWNS|CLONE_NEWPID)")
        return [Layer(n, False, why) for n in ("user namespace", "pid namespace", "mount namespace", "network namespace")]
    inside_uid = uid or 65534  # never 0 inside: exec then drops every capability in the namespace
    inside_gid = gid or 65534
    try:
        _write("/proc/self/setgroups", "deny")
        _write("/proc/self/gid_map", f"{inside_gid} {gid} 1")
        _write("/proc/self/uid_map", f"{inside_uid} {uid} 1")
        layers.append(Layer("user namespace", True, f"uid {uid} runs as uid {inside_uid} without capabilities"))
    except OSError as error:
        layers.append(Layer("user namespace", False, f"uid map not written: {error.strerror}"))
    layers.append(Layer("pid namespace", True, "the probe sees only its own processes; all end with it"))
    layers.append(network)
    return layers


# --- mounts (PID 1 of the namespace) ------------------------------------------------------------


class _MountAttr(ctypes.Structure):
    _fields_ = [("attr_set", ctypes.c_uint64), ("attr_clr", ctypes.c_uint64),
                ("propagation", ctypes.c_uint64), ("userns_fd", ctypes.c_uint64)]


def _mount_setattr(path: str, flags: int, attr_set: int, attr_clr: int) -> bool:
    attr = _MountAttr(attr_set, attr_clr, 0, 0)
    return _syscall(SYS_MOUNT_SETATTR, ctypes.c_int(AT_FDCWD), os.fsencode(path), ctypes.c_uint(flags),
                    ctypes.byref(attr), ctypes.c_size_t(ctypes.sizeof(attr))) == 0


def _mount(source: str | None, target: str, kind: str | None, flags: int, data: str | None = None) -> bool:
    encode = lambda text: os.fsencode(text) if text is not None else None  # noqa: E731
    return _libc().mount(encode(source), encode(target), encode(kind), ctypes.c_ulong(flags), encode(data)) == 0


def private_mounts(scratch: str, in_namespace: bool) -> tuple[list[Layer], bool]:
    """In the new mount namespace: every mount read-only except the scratch directory, a private
    /dev/shm and a /proc of the PID namespace. Returns the layers and whether /dev/shm is private."""
    if not in_namespace:
        return [Layer("read-only mounts", False, "no mount namespace"), Layer("private /proc", False, "no mount namespace")], False
    if not _mount(None, "/", None, MS_REC | MS_PRIVATE):
        why = _fail("mount --make-rprivate /")
        return [Layer("read-only mounts", False, why), Layer("private /proc", False, why)], False
    layers = []
    if _mount_setattr("/", AT_RECURSIVE, MOUNT_ATTR_RDONLY, 0) and _mount(scratch, scratch, None, MS_BIND | MS_REC) \
            and _mount_setattr(scratch, 0, 0, MOUNT_ATTR_RDONLY):
        os.chdir(scratch)  # the working directory still pointed into the read-only mount under the bind
        layers.append(Layer("read-only mounts", True, "every file system read-only but the scratch directory "
                                                      "(chmod, chown, utime, truncate refused too)"))
    else:
        layers.append(Layer("read-only mounts", False, _fail("mount_setattr(MOUNT_ATTR_RDONLY)")))
    shm = os.path.isdir("/dev/shm") and _mount("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "size=256m,mode=1777")
    if _mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC):
        layers.append(Layer("private /proc", True, "/proc shows the probe's processes only"))
    else:
        layers.append(Layer("private /proc", False, _fail("mount proc") + "; Landlock still denies access to outside processes"))
    return layers, shm


# --- resource limits ----------------------------------------------------------------------------


def gpu_present() -> bool:
    return os.path.exists("/dev/nvidiactl") and os.environ.get("CUDA_VISIBLE_DEVICES") != ""


ADDRESS_SPACE_ALLOWANCE = 8 * 1024**3  # the frameworks' code, thread stacks and allocator reservations


def address_space(memory: int) -> int:
    """RLIMIT_AS for a memory limit: the memory plus what TensorFlow, JAX or PyTorch map without using it
    (measured on 2 CPUs: 1.3-2.5 GB of address space for 0.3-0.5 GB of data; more threads reserve more)."""
    return memory + ADDRESS_SPACE_ALLOWANCE


def limits(memory: int, in_user_namespace: bool, max_file: int = 64 * 1024**2, max_tasks: int = 4096) -> Layer:
    """Hard limits equal to the soft ones: raising a hard limit needs CAP_SYS_RESOURCE in the initial
    user namespace, which the script does not have (root without a user namespace does)."""
    applied, missing = [], []

    def hard(kind: int, value: int, label: str) -> None:
        try:
            resource.setrlimit(kind, (value, value))
            applied.append(label)
        except (ValueError, OSError) as error:
            missing.append(f"{label} ({error})")

    if memory > 0:
        # The memory limit counts what a script allocates (RLIMIT_DATA: heap, arrays, tensors, thread stacks),
        # not the address space that libraries only reserve or map read-only. RLIMIT_AS stays as a backstop
        # for the shared memory RLIMIT_DATA does not count; CUDA reserves far more than that, so not on a GPU.
        if gpu_present():
            hard(resource.RLIMIT_DATA, memory, f"RLIMIT_DATA {memory // 1024**2} MiB (a GPU is present: no RLIMIT_AS)")
        else:
            hard(resource.RLIMIT_DATA, memory, f"RLIMIT_DATA {memory // 1024**2} MiB")
            hard(resource.RLIMIT_AS, address_space(memory), f"RLIMIT_AS {address_space(memory) // 1024**2} MiB")
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails instead of killing the probe
    hard(resource.RLIMIT_FSIZE, max_file, f"RLIMIT_FSIZE {max_file // 1024**2} MiB")
    hard(resource.RLIMIT_CORE, 0, "RLIMIT_CORE 0")
    if in_user_namespace:  # counted per user namespace (Linux >= 5.14), so other processes of this uid don't count
        hard(resource.RLIMIT_NPROC, max_tasks, f"RLIMIT_NPROC {max_tasks}")
    else:
        missing.append("RLIMIT_NPROC (without a user namespace it would count every process of this user)")
    if os.geteuid() == 0 and not in_user_namespace:
        missing.append("root outside a user namespace can raise these limits")
    detail = ", ".join(applied) + (f"; not applied: {', '.join(missing)}" if missing else "")
    return Layer("resource limits", not missing, detail)


def no_new_privileges() -> Layer:
    if IS_LINUX and _prctl(PR_SET_NO_NEW_PRIVS, 1):
        return Layer("no new privileges", True, "setuid binaries and file capabilities grant nothing")
    return Layer("no new privileges", False, _fail("prctl(PR_SET_NO_NEW_PRIVS)") if IS_LINUX else "not Linux")


# --- Landlock -----------------------------------------------------------------------------------


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64), ("handled_access_net", ctypes.c_uint64),
                ("scoped", ctypes.c_uint64)]


class _PathBeneath(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def _fs_rights(abi: int) -> int:
    rights = (WRITE_FILE | REMOVE_DIR | REMOVE_FILE | MAKE_CHAR | MAKE_DIR | MAKE_REG | MAKE_SOCK | MAKE_FIFO
              | MAKE_BLOCK | MAKE_SYM)
    if abi >= 2:
        rights |= REFER
    if abi >= 3:
        rights |= TRUNCATE
    return rights


def landlock(writable_dirs: list[str], writable_files: list[str]) -> list[Layer]:
    """Writes (create, delete, rename, truncate, link, mknod) only beneath `writable_dirs` and to
    `writable_files`; with ABI >= 4 no TCP bind/connect; with ABI >= 6 no signal to and no abstract
    socket of a process outside the sandbox."""
    abi = landlock_abi()
    if abi <= 0:
        why = "the kernel has no Landlock (Linux >= 5.13 with landlock in the LSM list)" if IS_LINUX else "not Linux"
        return [Layer("landlock", False, why), Layer("signal scoping", False, why)]
    fs = _fs_rights(abi)
    attr = _RulesetAttr(fs, NET_BIND_TCP | NET_CONNECT_TCP if abi >= 4 else 0,
                        SCOPE_SIGNAL | SCOPE_ABSTRACT_UNIX_SOCKET if abi >= 6 else 0)
    size = 24 if abi >= 6 else 16 if abi >= 4 else 8
    ruleset = _syscall(SYS_LANDLOCK_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(size), ctypes.c_uint32(0))
    if ruleset < 0:
        why = _fail("landlock_create_ruleset")
        return [Layer("landlock", False, why), Layer("signal scoping", False, why)]
    try:
        for path, rights in [(d, fs) for d in writable_dirs] + [(f, FILE_RIGHTS & fs) for f in writable_files]:
            try:
                fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
            except OSError:
                continue
            try:
                rule = _PathBeneath(rights, fd)
                if _syscall(SYS_LANDLOCK_ADD_RULE, ctypes.c_int(ruleset), ctypes.c_int(LANDLOCK_RULE_PATH_BENEATH),
                            ctypes.byref(rule), ctypes.c_uint32(0)) != 0:
                    why = _fail(f"landlock_add_rule({path})")
                    return [Layer("landlock", False, why), Layer("signal scoping", False, why)]
            finally:
                os.close(fd)
        if _syscall(SYS_LANDLOCK_RESTRICT_SELF, ctypes.c_int(ruleset), ctypes.c_uint32(0)) != 0:
            why = _fail("landlock_restrict_self")
            return [Layer("landlock", False, why), Layer("signal scoping", False, why)]
    finally:
        os.close(ruleset)
    network = "; no TCP bind or connect" if abi >= 4 else ""
    layers = [Layer("landlock", True, f"ABI {abi}: writes only inside the scratch directory{network}")]
    if abi >= 6:
        layers.append(Layer("signal scoping", True, "no signal to and no abstract socket of a process outside the probe"))
    else:
        layers.append(Layer("signal scoping", False, f"Landlock ABI {abi} < 6"))
    return layers
