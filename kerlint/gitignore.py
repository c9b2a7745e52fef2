"""`.gitignore` files as git applies them: a deeper file overrides a shallower one, and within a file
the last matching pattern wins (`!pattern` re-includes)."""

from __future__ import annotations

import os
from pathlib import Path

import pathspec


def _load(file: Path) -> pathspec.GitIgnoreSpec | None:
    try:
        text = file.read_text(encoding="utf-8", errors="replace")
    except OSError:  # missing, unreadable, a directory: git would skip it too
        return None
    return pathspec.GitIgnoreSpec.from_lines(text.splitlines())


def git_root(directory: Path) -> Path | None:
    for folder in (directory, *directory.parents):
        if os.path.exists(folder / ".git"):
            return folder
    return None


class GitIgnore:
    def __init__(self, layers: tuple[tuple[Path, pathspec.GitIgnoreSpec], ...] = ()) -> None:
        self.layers = layers  # (directory the patterns are relative to, patterns), shallowest first

    @classmethod
    def for_directory(cls, directory: Path) -> "GitIgnore":
        """The ignore files in force inside `directory`: inside a git work tree, `.git/info/exclude`
        and every `.gitignore` from the work tree's root down to `directory`; outside one, just
        `directory`'s own."""
        root = git_root(directory)
        ignore = cls()
        if root is None:
            return ignore.descend(directory)
        ignore = ignore._with(root, root / ".git" / "info" / "exclude")
        for folder in (*reversed(directory.relative_to(root).parents), directory.relative_to(root)):
            ignore = ignore.descend(root / folder)
        return ignore

    def descend(self, directory: Path) -> "GitIgnore":
        """The ignore files in force inside a subdirectory: these plus its own `.gitignore`."""
        return self._with(directory, directory / ".gitignore")

    def _with(self, base: Path, file: Path) -> "GitIgnore":
        spec = _load(file)
        if spec is None or not spec.patterns:
            return self
        return GitIgnore((*self.layers, (base, spec)))

    def is_ignored(self, path: Path, is_dir: bool = False) -> bool:
        for base, spec in reversed(self.layers):
            try:
                relative = path.relative_to(base).as_posix()
            except ValueError:
                continue
            decision = spec.check_file(relative + "/" if is_dir else relative).include
            if decision is not None:
                return decision
        return False
