"""`path:line:col: CODE message` (`path:cell N:line:col: ...` in a notebook), one line per finding, then
the summary (columns 1-based)."""

from __future__ import annotations

from kerlint.diagnostic import position_text
from kerlint.reporters.report import Report, printable
from kerlint.reporters.summary import summary_line


def render(report: Report) -> str:
    lines = [
        f"{printable(d.path)}:{position_text(d.span.line, d.span.col, d.cell)}: {d.code} {printable(d.message)}{_probe(d)}"
        for d in report.diagnostics
    ]
    lines.append(summary_line(report.diagnostics, report.files_checked))
    return "\n".join(lines) + "\n"


def _probe(diagnostic) -> str:
    probe = diagnostic.probe
    return f" [{printable(probe.text())}]" if probe else ""
