"""`kerlint check --probe` on notebooks: each notebook's code cells, IPython syntax masked, run as a script.

The joined source is written to a scratch directory of its own (never next to the notebook) and probed
like any script; its line numbers are the joined source's, so the notebook's findings are moved back
to joined lines while the probe's evidence is attached, then to their cells again.
"""

from __future__ import annotations

import ast
import shutil
import tempfile
from pathlib import Path

from kerlint.diagnostic import Diagnostic, Span
from kerlint.notebook import Notebook, NotebookError, read_notebook
from kerlint.notebook_lint import to_cells

_COMPOUND = (ast.If, ast.For, ast.AsyncFor, ast.While, ast.With, ast.AsyncWith, ast.Try, ast.FunctionDef,
             ast.AsyncFunctionDef, ast.ClassDef, ast.Match) + ((ast.TryStar,) if hasattr(ast, "TryStar") else ())


class NotebookScripts:
    """`with NotebookScripts() as scripts:` a scratch directory for the notebooks' scripts, removed on exit."""

    def __init__(self) -> None:
        self.directory: Path | None = None
        self.notebooks: dict[str, Notebook] = {}  # by display path

    def __enter__(self) -> "NotebookScripts":
        return self

    def __exit__(self, *exc_info) -> None:
        if self.directory is not None:
            shutil.rmtree(self.directory, ignore_errors=True)

    def script(self, path: Path, shown: str, data: bytes) -> tuple[Path, bytes] | None:
        """The script to probe for the notebook at `path`, and its source; None when it isn't a notebook."""
        try:
            notebook = read_notebook(data)
        except NotebookError:
            return None
        if self.directory is None:
            self.directory = Path(tempfile.mkdtemp(prefix="kerlint-notebooks-"))
        # A name no import can mean: a notebook called keras.ipynb must not shadow keras.
        script = self.directory / f"_kerlint_notebook_{len(self.notebooks)}.py"
        source = with_directory_on_path(notebook.source, path.resolve().parent)
        script.write_text(source, encoding="utf-8")
        self.notebooks[shown] = notebook
        return script, source.encode("utf-8", "surrogatepass")

    def to_joined(self, diagnostics: list[Diagnostic], shown: str) -> list[Diagnostic]:
        notebook = self.notebooks.get(shown)
        if notebook is None:
            return diagnostics
        return [_to_joined(d, notebook) if d.path == shown else d for d in diagnostics]

    def to_cells(self, diagnostics: list[Diagnostic], shown: str) -> list[Diagnostic]:
        notebook = self.notebooks.get(shown)
        if notebook is None:
            return diagnostics
        return [to_cells(d, notebook) if d.path == shown and d.cell is None else d for d in diagnostics]


def _to_joined(diagnostic: Diagnostic, notebook: Notebook) -> Diagnostic:
    """A finding at its cell -> the same finding on the joined source (the inverse of `to_cells`)."""
    import dataclasses

    def moved(span: Span, cell: int | None) -> Span:
        if cell is None:
            return span
        return Span(notebook.line_of(cell, span.line), span.col, notebook.line_of(cell, span.end_line), span.end_col)

    related = tuple(dataclasses.replace(r, span=moved(r.span, r.cell), cell=None) for r in diagnostic.related)
    return dataclasses.replace(diagnostic, span=moved(diagnostic.span, diagnostic.cell), cell=None, related=related)


def with_directory_on_path(source: str, directory: Path) -> str:
    """The source with the notebook's directory put first on sys.path (as Jupyter's kernel has its
    directory), without moving any line: on a blank line or a masked magic before the first
    statement, else in front of a simple first statement. Left as it is when neither fits."""
    insert = f"import sys as _kerlint_sys; _kerlint_sys.path.insert(0, {str(directory)!r}); del _kerlint_sys"
    try:
        body = ast.parse(source).body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return source
    if not body or any(isinstance(node, ast.ImportFrom) and node.module == "__future__" for node in body):
        return source
    lines = source.split("\n")
    first = body[0]
    for index in range(first.lineno - 1):
        if not lines[index].strip() or lines[index].lstrip().startswith("#"):
            lines[index] = insert
            return "\n".join(lines)
    if isinstance(first, ast.Pass) and lines[first.lineno - 1] == "pass":
        lines[first.lineno - 1] = insert
    elif not isinstance(first, _COMPOUND) and first.col_offset == 0:
        lines[first.lineno - 1] = f"{insert}; {lines[first.lineno - 1]}"
    return "\n".join(lines)
