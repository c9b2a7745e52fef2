"""Lint one input (a file or standard input) into a FileResult; never raises for bad input."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from kerlint.diagnostic import Diagnostic, Span
from kerlint.engine import INTERNAL_ERROR, UNREADABLE_FILE, LintSettings, lint_bytes
from kerlint.notebook import is_notebook
from kerlint.notebook_lint import lint_notebook, notebook_file_limit
from kerlint.registry import rule_by_code


def human_size(size: int) -> str:
    for unit, scale in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return f"{size} bytes"


@dataclass(frozen=True)
class Task:
    """One input to lint: a file on disk (`path`) or bytes already read (`data`, for stdin)."""

    shown: str  # the path as reported
    settings: LintSettings
    path: Path | None = None
    data: bytes | None = None
    keep_source: bool = False  # return the bytes when there are findings (for reporters that quote source)
    fix: str | None = None  # --fix / --diff: "safe" or "unsafe" (with --unsafe-fixes)
    write_fixes: bool = True  # False for --diff: compute the diff, write nothing

    def size(self) -> int:
        if self.data is not None:
            return len(self.data)
        try:
            return os.stat(self.path).st_size
        except OSError:
            return 0


@dataclass
class FileResult:
    shown: str
    diagnostics: list[Diagnostic]
    source: bytes | None = None
    fixed: int = 0  # fixes applied (or, with --diff, that would be)
    hidden_fixes: int = 0  # unsafe fixes left, for --unsafe-fixes
    diff: str = ""  # with --diff
    fix_error: str | None = None  # why this file's fixes were not written


@dataclass
class RunResult:
    diagnostics: list[Diagnostic] = field(default_factory=list)
    files_checked: int = 0
    # the bytes of each file that has findings, by display path, for reporters that quote source
    sources: dict[str, bytes] = field(default_factory=dict)
    fixed: int = 0
    hidden_fixes: int = 0
    diffs: list[str] = field(default_factory=list)
    fix_errors: list[tuple[str, str]] = field(default_factory=list)  # (display path, why)

    def add(self, result: FileResult) -> None:
        self.files_checked += 1
        self.fixed += result.fixed
        self.hidden_fixes += result.hidden_fixes
        if result.diff:
            self.diffs.append(result.diff)
        if result.fix_error:
            self.fix_errors.append((result.shown, result.fix_error))
        self.diagnostics += result.diagnostics
        if result.diagnostics and result.source is not None:
            self.sources[result.shown] = result.source

    def sorted_diagnostics(self) -> list[Diagnostic]:
        return sorted(self.diagnostics, key=Diagnostic.sort_key)


def engine_diagnostic(code: str, shown: str, message: str) -> Diagnostic:
    """A file-level finding of one of the always-on engine rules (KL002 unreadable, KL004 internal)."""
    rule = rule_by_code(code)
    assert rule is not None, code
    return Diagnostic(
        code=rule.code, name=rule.name, tag=rule.tag, severity=rule.severity, message=message,
        path=shown, span=Span.point(1), fix=rule.fix, url=rule.url(),
    )


def unreadable(shown: str, message: str) -> FileResult:
    return FileResult(shown, [engine_diagnostic(UNREADABLE_FILE, shown, message)])


def failed(shown: str, message: str) -> FileResult:
    return FileResult(shown, [engine_diagnostic(INTERNAL_ERROR, shown, message)])


def read_file(path: Path, max_bytes: int) -> bytes | str:
    """The file's bytes, or a message saying why it can't be checked (never reads a huge file whole)."""
    try:
        size = os.stat(path).st_size
        if size > max_bytes:
            return f"file is {human_size(size)}, over the max-file-size limit of {human_size(max_bytes)}: not checked"
        with open(path, "rb") as handle:
            return handle.read(max_bytes + 1)
    except OSError as error:
        reason = (error.strerror or type(error).__name__).lower()
        return f"could not be read ({reason}): not checked"


def size_limit(task: Task) -> int:
    """The most bytes the task's input may have (a notebook's outputs don't count against it)."""
    limit = task.settings.max_file_bytes
    return notebook_file_limit(limit) if is_notebook(task.shown) else limit


def read_task(task: Task) -> bytes | str:
    """The task's bytes, or a message saying why they can't be checked."""
    return task.data if task.data is not None else read_file(task.path, size_limit(task))


def lint_task(task: Task) -> FileResult:
    notebook = is_notebook(task.shown)
    max_bytes = size_limit(task)
    data = read_task(task)
    if isinstance(data, str):
        return unreadable(task.shown, data)
    if len(data) > max_bytes:  # stdin, or a file that grew since stat()
        return unreadable(task.shown, f"input is over the max-file-size limit of {human_size(max_bytes)}: not checked")
    try:
        fixing = _fix(task, data, notebook) if task.fix else {}
        data = fixing.pop("data", data)
        diagnostics = (lint_notebook if notebook else lint_bytes)(data, task.shown, task.settings)
    except Exception as error:  # noqa: BLE001 - a failure on one file is reported, the run goes on
        return failed(task.shown, f"kerlint failed on this file: {type(error).__name__}: {error} (please report)")
    return FileResult(task.shown, diagnostics, data if task.keep_source and diagnostics else None, **fixing)


def _fix(task: Task, data: bytes, notebook: bool) -> dict:
    """Apply the fixes (--fix) or diff them (--diff): the FileResult's fix fields, and `data` when the
    file now holds new bytes (so that what is reported is what is left)."""
    from kerlint.fixing import fix_bytes, unified_diff

    fixed = fix_bytes(data, task.shown, task.settings, task.fix == "unsafe", notebook)
    result = {"hidden_fixes": fixed.hidden, "fix_error": fixed.problem}
    if fixed.data == data:
        return result
    if not task.write_fixes or task.path is None:
        return {**result, "fixed": fixed.applied, "diff": unified_diff(data, fixed.data, task.shown)}
    try:
        with open(task.path, "r+b") as handle:  # in place: the file keeps its inode, owner and mode
            handle.write(fixed.data)
            handle.truncate()
    except OSError as error:
        reason = (error.strerror or type(error).__name__).lower()
        return {**result, "fix_error": f"the fixes could not be written ({reason}); the file was left as it was"}
    return {**result, "fixed": fixed.applied, "data": fixed.data}
