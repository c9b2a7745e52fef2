"""Which files a `kerlint check PATHS...` run looks at.

Directories are walked for `*.py` and `*.ipynb` files (and `extend-include` globs), skipping excluded
paths and (by default) git-ignored ones; symlinked directories are not followed. Files named on the command line are always checked unless
`--force-exclude`. Nothing here raises for a bad path: problems are collected and reported.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from kerlint.gitignore import GitIgnore
from kerlint.paths import absolute
from kerlint.settings import ProjectSettings


@dataclass
class Discovery:
    files: list[Path] = field(default_factory=list)
    unreadable: list[tuple[Path, str]] = field(default_factory=list)  # reported as KL002 findings
    missing: list[tuple[str, str]] = field(default_factory=list)  # (path as given, why): usage errors
    _seen: set[str] = field(default_factory=set)

    def add_file(self, path: Path) -> None:
        """Each file once, however many ways it was named."""
        key = os.path.realpath(path)
        if key not in self._seen:
            self._seen.add(key)
            self.files.append(path)


def discover(paths: list[str], project: ProjectSettings, force_exclude: bool = False) -> Discovery:
    found = Discovery()
    for given in paths:
        path = Path(given)
        if not os.path.lexists(path):
            found.missing.append((given, "no such file or directory"))
        elif not os.path.exists(path):
            found.missing.append((given, "broken symbolic link (its target does not exist)"))
        elif force_exclude and _excluded_explicitly(path, project):
            continue
        elif os.path.isdir(path):
            _walk(path, project, found)
        elif os.path.isfile(path):
            found.add_file(path)
        else:
            found.unreadable.append((path, "not a regular file (a device, pipe or socket): not checked"))
    return found


def _excluded_explicitly(path: Path, project: ProjectSettings) -> bool:
    """--force-exclude: the path or a directory above it (up to the project root) is excluded."""
    full = absolute(path)
    ignore = GitIgnore.for_directory(full.parent) if project.respect_gitignore else GitIgnore()
    candidates = [full, *[parent for parent in full.parents if project.root in parent.parents]]
    for index, candidate in enumerate(candidates):
        is_dir = index > 0 or os.path.isdir(full)
        if project.is_excluded(candidate, is_dir) or ignore.is_ignored(candidate, is_dir):
            return True
    return False


def _walk(top: Path, project: ProjectSettings, found: Discovery) -> None:
    # A directory named on the command line is walked even when it is itself excluded or ignored;
    # then the globs are applied relative to it, so that its own contents aren't all excluded too.
    full_top = absolute(top)
    base = full_top if project.is_excluded(full_top, True) else project.root
    start = GitIgnore()
    if project.respect_gitignore:
        start = GitIgnore.for_directory(full_top)
        if start.is_ignored(full_top, True):
            start = GitIgnore().descend(full_top)
    stack: list[tuple[Path, GitIgnore]] = [(top, start)]
    while stack:
        directory, ignore = stack.pop()
        try:
            with os.scandir(directory) as scan:
                entries = sorted(scan, key=lambda entry: entry.name)
        except OSError as error:
            reason = error.strerror or type(error).__name__
            found.unreadable.append((directory, f"directory could not be read ({reason.lower()}): not checked"))
            continue
        subdirectories = []
        for entry in entries:
            path = directory / entry.name
            full = absolute(path)
            try:
                if entry.is_dir(follow_symlinks=False):
                    if not _skipped(full, True, project, ignore, base):
                        subdirectories.append(path)
                elif not project.is_included(full) or _skipped(full, False, project, ignore, base):
                    continue
                elif entry.is_file():
                    found.add_file(path)
                elif entry.is_symlink() and not os.path.exists(path):
                    found.unreadable.append((path, "broken symbolic link (its target does not exist): not checked"))
            except OSError as error:
                found.unreadable.append((path, f"could not be read ({(error.strerror or str(error)).lower()}): not checked"))
        for subdirectory in reversed(subdirectories):
            stack.append((subdirectory, ignore.descend(absolute(subdirectory)) if project.respect_gitignore else ignore))


def _skipped(full: Path, is_dir: bool, project: ProjectSettings, ignore: GitIgnore, base: Path) -> bool:
    return project.is_excluded(full, is_dir, base) or ignore.is_ignored(full, is_dir)
