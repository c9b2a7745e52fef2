"""Which Keras a project targets ("2" or "3"), inferred the way Ruff infers its target Python version:
from the project's declared dependencies.

Evidence, nearest project directory first (the first that declares any dependency decides):
`pyproject.toml` `[project] dependencies` and `optional-dependencies`, `requirements*.txt`, `setup.cfg`
`install_requires`, `setup.py` `install_requires`. Keras 2 is `keras<3` (or `keras==2.*`), `tf_keras`,
or `tensorflow<2.16` / `tensorflow==2.15` and older (the last TensorFlow to bundle Keras 2); Keras 3 is
`keras>=3` or `tensorflow>=2.16`. A file that imports `tf_keras` targets Keras 2 whatever the project says.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import Iterable

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

TARGETS = ("2", "3")
PROJECT_FILES = ("pyproject.toml", "setup.cfg", "setup.py")
REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s*(?:\[[^\]]*\])?\s*([^;#]*)")
VERSION_CLAUSE = re.compile(r"(==|~=|<=|>=|<|>|!=)\s*([0-9]+)(?:\.([0-9]+|\*))?")


def infer_target_keras(root: Path) -> str | None:
    """The Keras major version declared by the project at or above `root`; None when nothing says."""
    root = Path(root).absolute()
    for folder in (root, *root.parents):
        requirements = list(_declared(folder))
        if requirements:
            return target_from_requirements(requirements)
        if any(os.path.isfile(folder / name) for name in ("pyproject.toml", ".git")) or os.path.isdir(folder / ".git"):
            return None  # the project's root declares nothing about Keras
    return None


def target_from_requirements(requirements: Iterable[str]) -> str | None:
    found: str | None = None
    for line in requirements:
        match = REQUIREMENT.match(line)
        if not match:
            continue
        name = match.group(1).lower().replace("_", "-")
        spec = match.group(2)
        verdict = None
        if name == "tf-keras":
            verdict = "2"
        elif name == "keras":
            verdict = _side(spec, 3)
        elif name in ("tensorflow", "tensorflow-cpu", "tensorflow-gpu", "tensorflow-macos", "tf-nightly"):
            verdict = _side(spec, (2, 16))
        if verdict == "2":
            return "2"  # a pin to Keras 2 anywhere decides
        found = found or verdict
    return found


def _side(spec: str, boundary: int | tuple[int, int]) -> str | None:
    """"2" when the specifier keeps the package below `boundary` (its first Keras-3 version), "3" when
    it requires at least that, None when it says neither."""
    first = (boundary, 0) if isinstance(boundary, int) else boundary
    for operator, major, minor in VERSION_CLAUSE.findall(spec):
        version = (int(major), int(minor) if minor and minor != "*" else 0)
        if operator == "<" and version <= first or operator == "<=" and version < first:
            return "2"
        if operator in ("==", "~="):
            return "2" if version < first else "3"
        if operator in (">=", ">") and version >= first:
            return "3"
    return None


def _declared(folder: Path) -> Iterable[str]:
    pyproject = folder / "pyproject.toml"
    if os.path.isfile(pyproject):
        try:
            project = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("project", {})
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            project = {}
        if isinstance(project, dict):
            yield from (d for d in project.get("dependencies", []) or [] if isinstance(d, str))
            optional = project.get("optional-dependencies", {}) or {}
            if isinstance(optional, dict):
                for group in optional.values():
                    yield from (d for d in group or [] if isinstance(d, str))
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return
    for name in names:
        if name.startswith("requirements") and name.endswith((".txt", ".in")):
            yield from _lines(folder / name)
    setup_cfg = folder / "setup.cfg"
    if os.path.isfile(setup_cfg):
        text = _text(setup_cfg)
        block = re.search(r"install_requires\s*=\s*((?:\n[ \t]+.*)+|.*)", text)
        if block:
            yield from (line.strip() for line in block.group(1).splitlines() if line.strip())
    setup_py = folder / "setup.py"
    if os.path.isfile(setup_py):
        block = re.search(r"install_requires\s*=\s*\[([^\]]*)\]", _text(setup_py))
        if block:
            yield from re.findall(r"['\"]([^'\"]+)['\"]", block.group(1))


def _lines(path: Path) -> list[str]:
    return [line for line in _text(path).splitlines() if line.strip() and not line.lstrip().startswith(("#", "-"))]


def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
