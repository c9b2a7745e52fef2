"""The one finding type every reporter consumes."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # kerlint.fix imports Span from here; both are loaded only where fixes and verdicts are used
    from kerlint.fix import Fix
    from kerlint.verdict import ProbeVerdict


class Severity(enum.IntEnum):
    INFO = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> "Severity":
        try:
            return cls[text.upper()]
        except KeyError:
            raise ValueError(f"unknown severity {text!r} (expected error, warning or info)") from None


@dataclass(frozen=True, order=True)
class Span:
    """A source range: lines are 1-based, columns are 0-based code-point offsets.

    Reporters convert columns at their boundary (1-based for text/JSON/SARIF, UTF-16 for LSP).
    """

    line: int
    col: int
    end_line: int
    end_col: int

    @classmethod
    def point(cls, line: int, col: int = 0) -> "Span":
        return cls(line, col, line, col)


@dataclass(frozen=True)
class Related:
    """Another place that explains a finding (e.g. the compile() call behind an activation finding)."""

    span: Span
    message: str
    cell: int | None = None  # in a notebook: the cell `span` is in (1-based, counting every cell)


@dataclass
class Diagnostic:
    code: str
    name: str
    tag: str
    severity: Severity
    message: str
    path: str
    span: Span
    fix: str | None = None
    url: str | None = None
    related: tuple[Related, ...] = ()
    autofix: Fix | None = None  # machine-applicable edits (the LSP's quick fix), from the rule
    # Extra structured evidence (e.g. a probe verdict); reporters that know a key render it.
    extra: dict = field(default_factory=dict)
    # In a notebook: the cell the finding is in (1-based, counting every cell); `span` is then relative
    # to that cell. None for a .py file.
    cell: int | None = None

    @property
    def probe(self) -> ProbeVerdict | None:
        """The training probe's verdict on this finding (`extra["probe"]`), typed; None when there is none."""
        found = self.extra.get("probe")
        if found is None:
            return None
        from kerlint.verdict import ProbeVerdict

        return ProbeVerdict.coerce(found)

    def sort_key(self) -> tuple:
        return (self.path, self.cell or 0, self.span.line, self.span.col, self.code)


def position_text(line: int, col: int, cell: int | None = None) -> str:
    """`12:5`, or `cell 3:12:5` in a notebook, for `path:POSITION` (`col` is 0-based, shown 1-based)."""
    return f"cell {cell}:{line}:{col + 1}" if cell is not None else f"{line}:{col + 1}"
