"""Lint a notebook: the engine runs on the joined code cells, and each finding is moved to its cell.

A cell that does not parse is reported on its own (as Jupyter would fail only that cell) and blanked,
and the other cells are still checked. Positions become cell-relative here, after the engine and
before any reporter, so neither rules nor suppressions know about cells: a `# noqa` comment sits on
the same joined line as the code it suppresses.
"""

from __future__ import annotations

import ast
import dataclasses
from typing import TYPE_CHECKING

from kerlint.diagnostic import Diagnostic, Span
from kerlint.engine import SYNTAX_ERROR, UNREADABLE_FILE, LintSettings, lint_source
from kerlint.notebook import Notebook, NotebookError, language, read_notebook
from kerlint.registry import rule_by_code

if TYPE_CHECKING:
    from kerlint.fix import Fix

# How much bigger than max-file-size a notebook file may be: its outputs (images, tables) are not
# checked, so the limit applies to the code cells, and the file only has to be small enough to read.
NOTEBOOK_FILE_FACTOR = 20
BROKEN_NOTEBOOK_FIX = "Repair the notebook's JSON (a merge conflict or a truncated save?) and re-save it in Jupyter, or exclude it."


def notebook_file_limit(max_file_bytes: int) -> int:
    return max_file_bytes * NOTEBOOK_FILE_FACTOR


def lint_notebook(data: bytes, path: str, settings: LintSettings) -> list[Diagnostic]:
    """All findings for one .ipynb file's bytes, at their cells."""
    kernel = language(data)
    if kernel is not None and kernel != "python":
        return []  # an R or Julia notebook: not ours to judge
    try:
        notebook = read_notebook(data)
    except NotebookError as error:
        unreadable = _engine(UNREADABLE_FILE, path, Span.point(error.line, error.col), f"{error.message}: not checked")
        return [dataclasses.replace(unreadable, fix=BROKEN_NOTEBOOK_FIX)]
    return lint_cells(notebook, path, settings)


def lint_cells(notebook: Notebook, path: str, settings: LintSettings) -> list[Diagnostic]:
    """Findings for an already joined notebook (also what the language server calls on open cells)."""
    size = len(notebook.source.encode("utf-8", "surrogatepass"))
    if size > settings.max_file_bytes:
        message = f"the code cells are {size} bytes, over the max-file-size limit of {settings.max_file_bytes}: not checked"
        return [_engine(UNREADABLE_FILE, path, Span.point(1), message)]
    diagnostics = lint_source(notebook.source, path, settings)
    broken: list[Diagnostic] = []
    if any(diagnostic.code == SYNTAX_ERROR for diagnostic in diagnostics):
        broken = _broken_cells(notebook, path)
        if broken:
            blanked = {diagnostic.cell for diagnostic in broken}
            diagnostics = lint_source(_with_blank_cells(notebook, blanked), path, settings)
    return sorted(broken + [to_cells(diagnostic, notebook) for diagnostic in diagnostics], key=Diagnostic.sort_key)


def to_cells(diagnostic: Diagnostic, notebook: Notebook) -> Diagnostic:
    """A finding on the joined source -> the same finding at its cell's line."""
    cell, span = _span_in_cell(notebook, diagnostic.span)
    related = tuple(
        dataclasses.replace(item, cell=where, span=moved)
        for item in diagnostic.related
        for where, moved in [_span_in_cell(notebook, item.span)]
    )
    autofix = _fix_in_cell(notebook, diagnostic.autofix, cell)
    return dataclasses.replace(diagnostic, cell=cell, span=span, related=related, autofix=autofix)


def _fix_in_cell(notebook: Notebook, fix: Fix | None, cell: int | None) -> Fix | None:
    """A fix's edits moved to the finding's cell; None when an edit lies (partly) in another cell."""
    if fix is None or cell is None:
        return None
    from kerlint.fix import Edit  # fixes are computed only where wanted (LintSettings.fixes)

    edits = []
    for edit in fix.edits:
        start, end = notebook.locate(edit.span.line), notebook.locate(edit.span.end_line)
        if start is None or end is None or start[0] != cell or end[0] != cell:
            return None
        edits.append(Edit(Span(start[1], edit.span.col, end[1], edit.span.end_col), edit.text))
    return dataclasses.replace(fix, edits=tuple(edits))


def _span_in_cell(notebook: Notebook, span: Span) -> tuple[int | None, Span]:
    start = notebook.locate(span.line)
    if start is None:
        return None, span
    cell, line = start
    end = notebook.locate(span.end_line)
    if end is not None and end[0] == cell:
        return cell, Span(line, span.col, end[1], span.end_col)
    lines = notebook.cell(cell).lines  # a span running into a later cell ends where its own cell ends
    if line > len(lines):
        return cell, Span.point(line, span.col)
    return cell, Span(line, span.col, len(lines), len(lines[-1]))


def _masked_lines(notebook: Notebook) -> list[str]:
    return notebook.source.split("\n")


def _broken_cells(notebook: Notebook, path: str) -> list[Diagnostic]:
    """A KL001 for each code cell that does not parse on its own (CPython's parser explains best)."""
    lines = _masked_lines(notebook)
    found = []
    for cell in notebook.cells:
        text = "\n".join(lines[cell.first_line - 1 : cell.first_line - 1 + len(cell.lines)]) + "\n"
        try:
            ast.parse(text)
        except SyntaxError as error:
            line = min(max(error.lineno or 1, 1), len(cell.lines) + 1)
            span = Span.point(line, max((error.offset or 1) - 1, 0))
            message = f"syntax error: {error.msg.strip().rstrip('.')}; nothing else in this cell was checked"
            found.append(dataclasses.replace(_engine(SYNTAX_ERROR, path, span, message), cell=cell.number))
        except (ValueError, RecursionError, MemoryError):
            message = "syntax error: the cell could not be parsed; nothing else in this cell was checked"
            found.append(dataclasses.replace(_engine(SYNTAX_ERROR, path, Span.point(1), message), cell=cell.number))
    return found


def _with_blank_cells(notebook: Notebook, blanked: set[int | None]) -> str:
    """The joined source with the given cells' lines emptied (so the other cells keep their lines)."""
    lines = _masked_lines(notebook)
    for cell in notebook.cells:
        if cell.number in blanked:
            for index in range(cell.first_line - 1, cell.first_line - 1 + len(cell.lines)):
                lines[index] = ""
    return "\n".join(lines)


def _engine(code: str, path: str, span: Span, message: str) -> Diagnostic:
    rule = rule_by_code(code)
    assert rule is not None, code
    return Diagnostic(code=rule.code, name=rule.name, tag=rule.tag, severity=rule.severity, message=message,
                      path=path, span=span, fix=rule.fix, url=rule.url())
