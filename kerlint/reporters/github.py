"""GitHub Actions workflow commands: one `::error|warning|notice file=...,line=...::message` per
finding, which GitHub shows as an annotation on the file and in the run summary.

In a notebook the line numbers of a cell are not lines of the .ipynb file GitHub annotates (that is
JSON), so a notebook's finding is annotated on the file, and its cell, line and column lead the message."""

from __future__ import annotations

from kerlint.diagnostic import Diagnostic, Severity
from kerlint.reporters.report import Report
from kerlint.reporters.summary import summary_line

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    """A command's message: `%`, CR and LF are percent-encoded (so a message stays on one line)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A property value: as a message, and `:` and `,` too (they end the value)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(diagnostic: Diagnostic) -> str:
    span = diagnostic.span
    properties = {"file": diagnostic.path}
    where = ""
    if diagnostic.cell is not None:
        where = f"cell {diagnostic.cell}, line {span.line}, column {span.col + 1}: "
    elif span.line >= 1:
        end_line = max(span.end_line, span.line)
        properties |= {"line": span.line, "col": span.col + 1, "endLine": end_line,
                       "endColumn": (span.end_col if end_line > span.line else max(span.end_col, span.col)) + 1}
    properties["title"] = f"{diagnostic.code} {diagnostic.name}"
    joined = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items())
    return f"::{COMMANDS[diagnostic.severity]} {joined}::{escape_data(where + diagnostic.message + _probe(diagnostic))}"


def _probe(diagnostic: Diagnostic) -> str:
    probe = diagnostic.probe
    return f" [{probe.text()}]" if probe else ""


def render(report: Report) -> str:
    lines = [command(diagnostic) for diagnostic in report.diagnostics]
    lines.append(summary_line(report.diagnostics, report.files_checked))
    return "\n".join(lines) + "\n"
