"""Lint the discovered files one by one; one bad file never stops the others."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from kerlint.diagnostic import Diagnostic, Span
from kerlint.engine import INTERNAL_ERROR, UNREADABLE_FILE, LintSettings, lint_bytes
from kerlint.paths import display_path
from kerlint.registry import rule_by_code



def human_size(size: int) -> str:
    for unit, scale in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return f"{size} bytes"


@dataclass
class RunResult:
    diagnostics: list[Diagnostic] = field(default_factory=list)
    files_checked: int = 0
    # the bytes of each file that has findings, by display path, for reporters that quote source
    sources: dict[str, bytes] = field(default_factory=dict)

    def add(self, shown: str, diagnostics: list[Diagnostic], data: bytes | None = None) -> None:
        self.files_checked += 1
        self.diagnostics += diagnostics
        if diagnostics and data is not None:
            self.sources[shown] = data

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


def lint_data(data: bytes, shown: str, settings: LintSettings) -> list[Diagnostic]:
    try:
        return lint_bytes(data, shown, settings)
    except Exception as error:  # noqa: BLE001 - a crash on one file is reported, the run goes on
        message = f"kerlint failed on this file: {type(error).__name__}: {error} (please report)"
        return [engine_diagnostic(INTERNAL_ERROR, shown, message)]


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


def lint_file(path: Path, settings: LintSettings, result: RunResult) -> None:
    shown = display_path(path)
    data = read_file(path, settings.max_file_bytes)
    if isinstance(data, str):
        result.add(shown, [engine_diagnostic(UNREADABLE_FILE, shown, data)])
    else:
        result.add(shown, lint_data(data, shown, settings), data)


def report_unreadable(path: Path, message: str, result: RunResult) -> None:
    shown = display_path(path)
    result.add(shown, [engine_diagnostic(UNREADABLE_FILE, shown, message)])
