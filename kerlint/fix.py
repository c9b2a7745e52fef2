"""A machine-applicable fix: edits to the source with an applicability, as ruff's `Fix` and Fixit's
`replacement=`. A rule attaches one to a finding; the engine carries it on the Diagnostic; the LSP's
quick fixes and `kerlint check --fix` (kerlint/fixing.py) apply the same edits.

Edits of one fix never overlap; applying them goes bottom-up, so each edit's span stays valid.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Literal

from kerlint.diagnostic import Span

# "safe": the program means exactly the same afterwards (apply without asking); "unsafe": it may not.
Applicability = Literal["safe", "unsafe"]

NEWLINE = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True)
class Edit:
    """Replace the text in `span` (1-based lines, code-point columns; end exclusive) with `text`."""

    span: Span
    text: str


@dataclass(frozen=True)
class Fix:
    title: str  # what it does, e.g. "Replace `lr` with `learning_rate`"
    edits: tuple[Edit, ...]
    applicability: Applicability = "safe"

    def __post_init__(self) -> None:
        ordered = sorted(self.edits, key=_start)
        for before, after in zip(ordered, ordered[1:]):
            if _end(before) > _start(after):
                raise ValueError(f"overlapping edits in fix {self.title!r}")


def _start(edit: Edit) -> tuple[int, int]:
    return edit.span.line, edit.span.col


def _end(edit: Edit) -> tuple[int, int]:
    return edit.span.end_line, edit.span.end_col


def line_starts(source: str) -> list[int]:
    """The offset in `source` where each line starts (lines split at \\n, \\r\\n and \\r, as the engine counts them)."""
    return [0] + [match.end() for match in NEWLINE.finditer(source)]


def apply_edits(source: str, edits: Iterable[Edit]) -> str:
    """`source` with non-overlapping edits applied (bottom-up, so earlier spans stay valid)."""
    starts = line_starts(source)

    def offset(line: int, col: int) -> int:
        return starts[line - 1] + col

    out = source
    for edit in sorted(edits, key=_start, reverse=True):
        start, end = offset(edit.span.line, edit.span.col), offset(edit.span.end_line, edit.span.end_col)
        out = out[:start] + edit.text + out[end:]
    return out


def compatible_fixes(fixes: Iterable[Fix]) -> list[Fix]:
    """The fixes, in order, that overlap no earlier one (as ruff does: what is left over is fixed by
    applying again to the result)."""
    chosen: list[Fix] = []
    taken: list[Edit] = []
    for fix in fixes:
        if all(_end(edit) <= _start(other) or _end(other) <= _start(edit) for edit in fix.edits for other in taken):
            chosen.append(fix)
            taken += fix.edits
    return chosen


def apply_fixes(source: str, fixes: Iterable[Fix]) -> str:
    """`source` with every fix applied that overlaps no earlier one. An edit that several fixes share (the
    same import added for each) is made once."""
    return apply_edits(source, dict.fromkeys(edit for fix in compatible_fixes(fixes) for edit in fix.edits))
