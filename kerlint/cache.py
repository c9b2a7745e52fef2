"""Findings per file, keyed by content, so a re-run reads what an earlier run found instead of linting.

An entry's key hashes the file's bytes, its display path, the effective settings (selection, rule
options, limits) and kerlint itself: its version, its Python sources and its rules' sources, and the
libcst release that parses. Editing kerlint in a checkout therefore invalidates every entry, although
the version stays the same. Entries are JSON files written atomically (a temporary file renamed into
place), so processes sharing a cache never read half an entry; one that doesn't decode is a miss and
is rewritten. Nothing read from the cache is executed or unpickled. A cache that can't be written is
skipped silently: the run's results never depend on it.

Only what the static analysis found is stored. A file that couldn't be read, or whose analysis failed
or was cut short (KL002, KL004: a crash or a timeout may not happen next time) is linted again.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import json
import os
import shutil
import sys
import tempfile
import types
import typing
from functools import lru_cache
from pathlib import Path
from typing import Any

from kerlint import __version__
from kerlint.diagnostic import Diagnostic

DIRECTORY_NAME = ".kerlint_cache"
ENVIRONMENT_VARIABLE = "KERLINT_CACHE_DIR"
FORMAT = "1"
# Marks a directory as kerlint's cache (https://bford.info/cachedir/): backup tools skip it, and
# `kerlint clean` deletes only a directory that carries it.
TAG_NAME = "CACHEDIR.TAG"
TAG = "Signature: 8a477f597d28d172789f06886806bc55\n# This directory is kerlint's cache (kerlint clean removes it).\n"
UNCACHED_CODES = frozenset({"KL002", "KL004"})


def default_directory(project_root: Path) -> Path:
    configured = os.environ.get(ENVIRONMENT_VARIABLE)
    return Path(configured) if configured else project_root / DIRECTORY_NAME


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """A hash of what decides kerlint's findings: its version, sources, rules and parser release."""
    import kerlint

    digest = hashlib.sha256(f"{FORMAT}\0{__version__}\0{sys.version_info[:2]}\0{_libcst_release()}".encode())
    folders = list(kerlint.__path__) + list(getattr(sys.modules.get("kerlint.rules"), "__path__", []))
    for folder in folders:
        for directory, subdirectories, files in os.walk(folder):
            subdirectories[:] = sorted(name for name in subdirectories if name != "__pycache__")
            for name in sorted(files):
                if name.endswith(".py"):
                    path = os.path.join(directory, name)
                    digest.update(os.path.relpath(path, folder).encode() + b"\0")
                    with open(path, "rb") as handle:
                        digest.update(handle.read())
    return digest.hexdigest()


def _libcst_release() -> str:
    """libcst's installed version, read from its metadata folder without importing libcst."""
    import importlib.util

    spec = importlib.util.find_spec("libcst")
    if spec is None or not spec.origin:
        return "none"
    site = Path(spec.origin).parent.parent
    releases = sorted(path.name for path in site.glob("libcst-*.dist-info"))
    return ",".join(releases) or spec.origin


def settings_fingerprint(settings: Any) -> str:
    """Every field of a LintSettings, in a stable text form."""
    return json.dumps(_plain(settings), sort_keys=True, default=repr)


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {field.name: _plain(getattr(value, field.name)) for field in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (frozenset, set)):
        return sorted(_plain(item) for item in value)
    if isinstance(value, typing.Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return value


class Cache:
    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self.entries = self.directory / f"v{FORMAT}"
        self.writable = True
        self._settings_keys: dict[int, tuple[Any, str]] = {}

    def key(self, data: bytes, shown: str, settings: Any) -> str:
        known = self._settings_keys.get(id(settings))
        if known is None or known[0] is not settings:
            known = (settings, settings_fingerprint(settings))
            self._settings_keys[id(settings)] = known
        digest = hashlib.sha256(code_fingerprint().encode())
        for part in (known[1].encode(), shown.encode("utf-8", "surrogatepass"), data):
            digest.update(len(part).to_bytes(8, "little") + part)
        return digest.hexdigest()

    def _path(self, key: str) -> Path:
        return self.entries / key[:2] / f"{key}.json"

    def get(self, key: str) -> list[Diagnostic] | None:
        """The findings stored under `key`, or None when there are none or the entry doesn't decode."""
        try:
            with open(self._path(key), "rb") as handle:
                entry = json.loads(handle.read())
            if not isinstance(entry, dict) or entry.get("key") != key:
                return None
            return [decode(Diagnostic, item) for item in entry["diagnostics"]]
        except (OSError, ValueError, TypeError, KeyError, AttributeError, NameError):
            return None  # unreadable, damaged or from a kerlint whose findings had other fields: a miss

    def put(self, key: str, diagnostics: list[Diagnostic]) -> None:
        if not self.writable or any(diagnostic.code in UNCACHED_CODES for diagnostic in diagnostics):
            return
        text = json.dumps({"key": key, "diagnostics": [encode(item) for item in diagnostics]}, separators=(",", ":"))
        target = self._path(key)
        try:
            self._prepare(target.parent)
            handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=".json")
            try:
                with os.fdopen(handle, "w", encoding="utf-8") as stream:
                    stream.write(text)
                os.replace(temporary, target)
            except BaseException:
                _remove(temporary)
                raise
        except (OSError, UnicodeError):
            self.writable = False  # read-only tree, full disk: lint without storing

    def _prepare(self, folder: Path) -> None:
        if folder.is_dir():
            return
        if not self.directory.is_dir():
            self.directory.mkdir(parents=True, exist_ok=True)
            # as Ruff does: the cache ignores itself, so it never shows up in `git status`
            _write_if_missing(self.directory / ".gitignore", "# Automatically created by kerlint.\n*\n")
            _write_if_missing(self.directory / TAG_NAME, TAG)
        folder.mkdir(parents=True, exist_ok=True)


def _write_if_missing(path: Path, text: str) -> None:
    try:
        with open(path, "x", encoding="utf-8") as handle:
            handle.write(text)
    except FileExistsError:
        pass


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def clean(directory: Path) -> str:
    """Delete a kerlint cache directory; returns what was done. ValueError when it isn't one."""
    directory = Path(directory)
    if not directory.exists():
        return f"no cache at {directory}"
    if not (directory / TAG_NAME).is_file() or TAG.splitlines()[0] not in (directory / TAG_NAME).read_text("utf-8", "replace"):
        raise ValueError(f"{directory} is not a kerlint cache (it has no kerlint {TAG_NAME}): not removed")
    shutil.rmtree(directory)
    return f"removed {directory}"


# --- findings <-> JSON, generically over the dataclass fields, so a new field needs no code here -----


def encode(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {field.name: encode(getattr(value, field.name)) for field in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return encode(value.value)
    if isinstance(value, (list, tuple)):
        return [encode(item) for item in value]
    if isinstance(value, dict):
        return {str(key): encode(item) for key, item in value.items()}
    return value


@lru_cache(maxsize=None)
def _hints(cls: type) -> dict[str, Any]:
    """The class's field types. A name its module imports only for type checkers (to avoid an import
    cycle) is looked up in the kerlint modules loaded so far, importing none."""
    names: dict[str, Any] = {}
    for _ in range(20):
        try:
            return typing.get_type_hints(cls, localns=names)
        except NameError as error:
            missing = getattr(error, "name", None)
            found = [getattr(module, missing) for name, module in list(sys.modules.items())
                     if missing and name.startswith("kerlint") and hasattr(module, missing)]
            if not found:
                raise
            names[missing] = found[0]
    return typing.get_type_hints(cls, localns=names)


def decode(kind: Any, value: Any) -> Any:
    """Rebuild a value of type `kind` from `encode`'s output; TypeError/ValueError when it doesn't fit."""
    if kind is Any or kind is typing.Any:
        return value
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        options = typing.get_args(kind)
        if value is None and type(None) in options:
            return None
        errors = []
        for option in options:
            if option is type(None):
                continue
            try:
                return decode(option, value)
            except (TypeError, ValueError, KeyError) as error:
                errors.append(error)
        raise TypeError(f"{value!r} fits none of {kind}: {errors}")
    if origin in (tuple, list):
        if not isinstance(value, list):
            raise TypeError(f"expected a list for {kind}, got {value!r}")
        arguments = typing.get_args(kind)
        if origin is tuple and arguments and arguments[-1] is not Ellipsis:
            return tuple(decode(argument, item) for argument, item in zip(arguments, value, strict=True))
        item_kind = arguments[0] if arguments else Any
        items = [decode(item_kind, item) for item in value]
        return tuple(items) if origin is tuple else items
    if origin is dict or kind is dict:
        if not isinstance(value, dict):
            raise TypeError(f"expected an object for {kind}, got {value!r}")
        return dict(value)
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        if not isinstance(value, dict):
            raise TypeError(f"expected an object for {kind.__name__}, got {value!r}")
        hints = _hints(kind)
        arguments = {field.name: decode(hints[field.name], value[field.name])
                     for field in dataclasses.fields(kind) if field.init and field.name in value}
        return kind(**arguments)
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return kind(value)
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if isinstance(kind, type) and not isinstance(value, kind):
        raise TypeError(f"expected {kind.__name__}, got {value!r}")
    return value
