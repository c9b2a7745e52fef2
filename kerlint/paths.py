"""Path spelling: how a file is shown to the user, and how it is matched against project globs."""

from __future__ import annotations

import os
from pathlib import Path

import pathspec


def absolute(path: Path | str) -> Path:
    """Absolute without resolving symlinks (a symlinked file keeps the name the user sees)."""
    return Path(os.path.abspath(path))


def display_path(path: Path | str) -> str:
    """Relative to the current directory when under it, else as given; always with `/`."""
    try:
        return absolute(path).relative_to(Path.cwd()).as_posix()
    except ValueError:
        return Path(path).as_posix()


def project_relative(path: Path | str, root: Path) -> str:
    """The path relative to the project root for glob matching; outside the root, just its name
    (so `foo.py`-style patterns still apply, anchored ones don't)."""
    full = absolute(path)
    try:
        return full.relative_to(root).as_posix()
    except ValueError:
        return full.name


def glob_spec(patterns: list[str] | tuple[str, ...]) -> pathspec.GitIgnoreSpec:
    """Gitignore-style globs: a pattern without `/` matches a name at any depth, one with `/` is
    anchored at the project root, `**` spans directories, a trailing `/` matches directories only."""
    return pathspec.GitIgnoreSpec.from_lines(patterns)
