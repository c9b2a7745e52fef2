"""The closing line of the human-readable formats."""

from __future__ import annotations

from collections import Counter
from typing import Sequence

from kerlint.diagnostic import Diagnostic, Severity


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 or noun == Severity.INFO.label else f"{count} {noun}s"


def summary_line(diagnostics: Sequence[Diagnostic], files_checked: int) -> str:
    """`All checks passed! (3 files)` or `Found 3 findings (1 error, 1 warning, 1 info) in 2 of 5 files.`"""
    if not diagnostics:
        return f"All checks passed! ({plural(files_checked, 'file')})"
    by_severity = Counter(diagnostic.severity for diagnostic in diagnostics)
    counts = ", ".join(plural(by_severity[severity], severity.label) for severity in sorted(by_severity, reverse=True))
    with_findings = len({diagnostic.path for diagnostic in diagnostics})
    where = plural(files_checked, "file") if with_findings == files_checked else f"{with_findings} of {files_checked} files"
    return f"Found {plural(len(diagnostics), 'finding')} ({counts}) in {where}."
