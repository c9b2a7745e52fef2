"""Each finding as a block: the concise line, the source around it with the span underlined, then
the fix and the rule's docs link; the summary at the end."""

from __future__ import annotations

import re

from kerlint.diagnostic import Diagnostic, position_text
from kerlint.notebook import cell_lines
from kerlint.engine import SourceError, decode_source
from kerlint.reporters.report import Report, printable
from kerlint.reporters.summary import summary_line

CONTEXT = 1  # lines shown before and after the finding
MAX_SPAN_LINES = 4  # a longer span shows its first and last lines around an ellipsis
TAB = 4
MAX_WIDTH = 200  # longer lines are cropped around the finding

_LINE_BREAK = re.compile(r"\r\n|\r|\n")  # Python's own line ends only (not \f, \v, U+2028, ...)


def _source_lines(data: bytes | None) -> list[str] | None:
    if data is None:
        return None
    try:
        lines = _LINE_BREAK.split(decode_source(data, max_bytes=len(data)))
    except SourceError:
        return None
    return lines[:-1] if len(lines) > 1 and lines[-1] == "" else lines  # no phantom line after the last newline


def _excerpt(diagnostic: Diagnostic, lines: list[str]) -> list[str]:
    span = diagnostic.span
    if span.line == len(lines) + 1:  # e.g. "unexpected end of file" just after the last line
        lines = [*lines, ""]
    if not 1 <= span.line <= len(lines):
        return []
    last = min(max(span.end_line, span.line), len(lines))
    shown = list(range(max(span.line - CONTEXT, 1), span.line + 1))
    body = list(range(span.line + 1, last + 1))
    if len(body) > MAX_SPAN_LINES:
        body = body[: MAX_SPAN_LINES // 2] + [0] + body[-(MAX_SPAN_LINES // 2) :]
    shown += body + list(range(last + 1, min(last + CONTEXT, len(lines)) + 1))
    width = len(str(max(n for n in shown)))
    gutter = " " * width + " |"
    out = [gutter]
    for number in shown:
        if number == 0:
            out.append(" " * width + " :")
            continue
        line = lines[number - 1]
        text, offset = _crop(line.expandtabs(TAB), len(line[: span.col].expandtabs(TAB)) if number == span.line else 0)
        out.append(f"{number:>{width}} | {printable(text)}".rstrip())
        if number == span.line:
            start = len(line[: span.col].expandtabs(TAB)) - offset
            end_col = span.end_col if span.end_line == span.line else len(line)
            end = len(line[:end_col].expandtabs(TAB)) - offset
            carets = "^" * max(min(end, len(text)) - start, 1)
            out.append(f"{gutter} {' ' * start}{carets} {diagnostic.code}")
    out.append(gutter)
    return out


def _crop(text: str, focus: int) -> tuple[str, int]:
    """A window of at most MAX_WIDTH characters around column `focus`, and where it starts."""
    if len(text) <= MAX_WIDTH:
        return text, 0
    start = max(0, min(focus - MAX_WIDTH // 4, len(text) - MAX_WIDTH))
    return text[start : start + MAX_WIDTH], start


def _block(diagnostic: Diagnostic, lines: list[str] | None) -> str:
    span = diagnostic.span
    out = [
        f"{printable(diagnostic.path)}:{position_text(span.line, span.col, diagnostic.cell)}: {diagnostic.code} [{diagnostic.severity.label}] "
        f"{printable(diagnostic.message)}"
    ]
    if lines is not None:
        out += _excerpt(diagnostic, lines)
    for related in diagnostic.related:
        where = position_text(related.span.line, related.span.col, related.cell)
        out.append(f"  = note: {printable(diagnostic.path)}:{where}: {printable(related.message)}")
    probe = diagnostic.probe
    if probe:
        details = probe.details()
        out.append(f"  = {printable(probe.text())}" + (f" ({details})" if details else ""))
        if probe.grad_norms:
            from kerlint.verdict import sparkline

            out.append(f"  = gradient norm: {sparkline(probe.grad_norms)}")
    if diagnostic.fix:
        out.append(f"help: {printable(diagnostic.fix)}")
    if diagnostic.url:
        out.append(f"docs: {diagnostic.name} ({diagnostic.code}) {diagnostic.url}")
    return "\n".join(out)


def render(report: Report) -> str:
    cache: dict[str, list[str] | None] = {}
    blocks = []
    for diagnostic in report.diagnostics:
        if diagnostic.path not in cache:
            cache[diagnostic.path] = _source_lines(report.sources.get(diagnostic.path))
        lines = cache[diagnostic.path]
        if diagnostic.cell is not None:  # a notebook: quote the finding's own cell
            data = report.sources.get(diagnostic.path)
            lines = list(cell_lines(data).get(diagnostic.cell, ())) if data is not None else None
        blocks.append(_block(diagnostic, lines) + "\n")
    blocks.append(summary_line(report.diagnostics, report.files_checked))
    return "\n".join(blocks) + "\n"
