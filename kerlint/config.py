"""Configuration files: find them, read them, validate every key.

kerlint reads `[tool.kerlint]` from a `pyproject.toml`, or the top level of a `kerlint.toml` /
`.kerlint.toml`. Discovery walks up from a directory and takes the nearest file that configures
kerlint (a pyproject.toml without a `[tool.kerlint]` table is passed over).

Every key is declared once in `KEYS`; a new section (e.g. `probe`) is one more entry there plus a
field on `Config`. Unknown keys and bad values raise ConfigError naming the file and the key.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Mapping

from kerlint.diagnostic import Severity
from kerlint.registry import all_rules
from kerlint.selection import SelectorError, codes_for

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

DEFAULT_MAX_FILE_BYTES = 5 * 1024 * 1024  # max-file-size
CONFIG_NAMES = (".kerlint.toml", "kerlint.toml", "pyproject.toml")  # earlier wins within one directory


class ConfigError(Exception):
    pass


@dataclass(frozen=True)
class Config:
    """What a configuration file says (nothing resolved yet). `Config()` is "no config file"."""

    path: Path | None = None  # the file it came from
    root: Path | None = None  # the directory holding it: exclude and per-file-ignores globs are relative to it
    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    exclude: tuple[str, ...] | None = None  # None: the default excludes
    extend_exclude: tuple[str, ...] = ()
    extend_include: tuple[str, ...] = ()  # more globs of files to check, besides *.py and *.ipynb
    respect_gitignore: bool = True
    max_file_size: int = DEFAULT_MAX_FILE_BYTES
    fail_on: Severity = Severity.WARNING
    rule_options: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    probe: Mapping[str, Any] = field(default_factory=dict)  # ProbeOptions fields from [tool.kerlint.probe]
    target_keras: str | None = None  # "2" or "3"; None: inferred from the project's dependencies


# --- value parsers: (value, where) -> parsed value, ConfigError on a bad one -----------------------


def _fail(where: str, problem: str) -> ConfigError:
    return ConfigError(f"{where}: {problem}")


def _string_list(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise _fail(where, f"expected a list of strings, got {value!r}")
    return tuple(value)


def _selectors(value: Any, where: str) -> tuple[str, ...]:
    selectors = _string_list(value, where)
    for selector in selectors:
        try:
            codes_for(selector)
        except SelectorError as error:
            raise _fail(where, str(error)) from None
    return selectors


def _boolean(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise _fail(where, f"expected true or false, got {value!r}")
    return value


def _positive_int(value: Any, where: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise _fail(where, f"expected a positive whole number of bytes, got {value!r}")
    return value


def _severity(value: Any, where: str) -> Severity:
    try:
        if not isinstance(value, str):
            raise ValueError(f"expected \"error\", \"warning\" or \"info\", got {value!r}")
        return Severity.parse(value)
    except ValueError as error:
        raise _fail(where, str(error)) from None


def _target_keras(value: Any, where: str) -> str:
    text = str(value) if isinstance(value, (str, int)) and not isinstance(value, bool) else None
    if text not in ("2", "3"):
        raise _fail(where, f"expected \"2\" or \"3\", got {value!r}")
    return text


def _per_file_ignores(value: Any, where: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if not isinstance(value, dict):
        raise _fail(where, f"expected a table of glob = [selectors], got {value!r}")
    return tuple((glob, _selectors(selectors, f"{where}.{glob!r}")) for glob, selectors in value.items())


def _rule_options(value: Any, where: str) -> dict[str, dict[str, Any]]:
    if not isinstance(value, dict):
        raise _fail(where, f"expected tables [tool.kerlint.rules.<CODE>], got {value!r}")
    rules = {rule.code: rule for rule in all_rules()} | {rule.name: rule for rule in all_rules()}
    options: dict[str, dict[str, Any]] = {}
    for key, table in value.items():
        rule = rules.get(key.upper()) or rules.get(key.lower())
        if rule is None:
            raise _fail(f"{where}.{key}", "no such rule (`kerlint rules` lists them)")
        if not isinstance(table, dict):
            raise _fail(f"{where}.{key}", f"expected a table of options, got {table!r}")
        known = {name.replace("_", "-"): name for name in rule.options}
        for option_key, option_value in table.items():
            name = known.get(option_key.replace("_", "-"))
            option_where = f"{where}.{key}.{option_key}"
            if name is None:
                choices = ", ".join(sorted(rule.options)) or "none"
                raise _fail(option_where, f"{rule.code} has no option {option_key!r} (options: {choices})")
            try:
                coerced = rule.options[name].coerce(option_value)
            except ValueError as error:
                raise _fail(option_where, str(error)) from None
            options.setdefault(rule.code, {})[name] = coerced
    return options


# [tool.kerlint.probe] key -> (ProbeOptions field, type, scale from the file's unit)
PROBE_KEYS: dict[str, tuple[str, type, int]] = {
    "timeout": ("timeout_s", float, 1),  # seconds per file
    "memory-mib": ("memory_bytes", int, 1024**2),
    "steps": ("steps", int, 1),
    "train-seconds": ("train_seconds", float, 1),
    "jobs": ("jobs", int, 1),
    "all": ("all_models", bool, 1),
    "sharpness": ("sharpness", bool, 1),
}


def _probe_table(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _fail(where, f"expected a table [tool.kerlint.probe], got {value!r}")
    options = {}
    for key, item in value.items():
        if key not in PROBE_KEYS:
            raise _fail(f"{where}.{key}", f"unknown key (expected one of: {', '.join(PROBE_KEYS)})")
        name, kind, scale = PROBE_KEYS[key]
        if kind is bool:
            options[name] = _boolean(item, f"{where}.{key}")
            continue
        if isinstance(item, bool) or not isinstance(item, (int, float)) or item <= 0 or (kind is int and item != int(item)):
            raise _fail(f"{where}.{key}", f"expected a positive {'whole ' if kind is int else ''}number, got {item!r}")
        options[name] = kind(item) * scale
    return options


# key in the file -> (Config field, parser)
KEYS: dict[str, tuple[str, Callable[[Any, str], Any]]] = {
    "select": ("select", _selectors),
    "extend-select": ("extend_select", _selectors),
    "ignore": ("ignore", _selectors),
    "per-file-ignores": ("per_file_ignores", _per_file_ignores),
    "exclude": ("exclude", _string_list),
    "extend-exclude": ("extend_exclude", _string_list),
    "extend-include": ("extend_include", _string_list),
    "respect-gitignore": ("respect_gitignore", _boolean),
    "max-file-size": ("max_file_size", _positive_int),
    "fail-on": ("fail_on", _severity),
    "rules": ("rule_options", _rule_options),
    "probe": ("probe", _probe_table),
    "target-keras": ("target_keras", _target_keras),
}


def parse_table(table: Mapping[str, Any], path: Path, prefix: str) -> Config:
    """Validate a kerlint table (`prefix` names it in messages, e.g. "[tool.kerlint]")."""
    values: dict[str, Any] = {}
    for key, value in table.items():
        where = f"{path}: {prefix} {key}" if prefix else f"{path}: {key}"
        if key not in KEYS:
            raise ConfigError(f"{where}: unknown key (expected one of: {', '.join(KEYS)})")
        field_name, parser = KEYS[key]
        values[field_name] = parser(value, where)
    return replace(Config(path=path, root=path.parent), **values)


def _kerlint_table(path: Path, text: str) -> Mapping[str, Any] | None:
    """The kerlint table in a config file's text, or None when a pyproject.toml has none."""
    is_pyproject = path.name == "pyproject.toml"
    if is_pyproject and "kerlint" not in text:
        return None  # cheap: an unrelated pyproject.toml is not even parsed
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from None
    if not is_pyproject:
        return document
    table = document.get("tool", {}).get("kerlint") if isinstance(document.get("tool"), dict) else None
    if table is not None and not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.kerlint] must be a table")
    return table


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot read: {getattr(error, 'strerror', None) or error}") from None


def load_config(path: Path) -> Config:
    """Read one config file named explicitly (`--config`): a pyproject.toml without `[tool.kerlint]`
    is an empty configuration, not an error."""
    path = Path(path)
    if not os.path.isfile(path):
        raise ConfigError(f"{path}: no such config file")
    path = path.absolute()
    table = _kerlint_table(path, _read(path))
    prefix = "[tool.kerlint]" if path.name == "pyproject.toml" else ""
    return parse_table(table or {}, path, prefix)


def find_config_file(start: Path) -> Path | None:
    """The nearest config file that configures kerlint, from `start` (a file or directory) upward."""
    start = Path(start).absolute()
    directory = start if os.path.isdir(start) else start.parent
    for folder in (directory, *directory.parents):
        for name in CONFIG_NAMES:
            candidate = folder / name
            if not os.path.isfile(candidate):
                continue
            if name != "pyproject.toml" or _kerlint_table(candidate, _read(candidate)) is not None:
                return candidate
    return None


def discover_config(start: Path) -> Config:
    """The configuration that applies to `start` (the CLI passes the current directory; an editor
    passes the open file). No file found: defaults, rooted at `start`'s directory."""
    found = find_config_file(start)
    if found is not None:
        return load_config(found)
    start = Path(start).absolute()
    return Config(root=start if os.path.isdir(start) else start.parent)
