"""Notebooks in the language server (LSP 3.17 notebook document sync, as VS Code's notebook editor uses it).

The client opens a notebook as one `notebookDocument` whose code cells are text documents of their
own. The cells are joined and linted as one program, exactly as `kerlint check` lints an .ipynb file
(a model built in one cell and compiled in another is one program), and each cell gets its own
findings, published on the cell's URI with cell-relative ranges; a related place in another cell
points at that cell's URI.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import unquote

from lsprotocol import types

from kerlint.diagnostic import Diagnostic
from kerlint.lsp.convert import to_lsp
from kerlint.lsp.linted import Linted
from kerlint.lsp.positions import split_lines, to_range
from kerlint.notebook import join_cells
from kerlint.notebook_lint import lint_cells

if TYPE_CHECKING:  # the server imports this module; this one only annotates with it
    from kerlint.lsp.server import KerlintServer

# Any notebook type whose cells are Python (Jupyter's, VS Code's interactive window, ...).
SYNC = types.NotebookDocumentSyncOptions(
    notebook_selector=[types.NotebookDocumentFilterWithCells(cells=[types.NotebookCellLanguage(language="python")],
                                                             notebook="*")],
    save=True,
)


@dataclass(frozen=True)
class Cell:
    number: int  # 1-based, counting every cell, as `kerlint check` numbers them
    uri: str
    version: int | None
    text: str


def is_notebook(ls: "KerlintServer", uri: str) -> bool:
    return ls.workspace.get_notebook_document(notebook_uri=uri) is not None


def notebook_of_cell(ls: "KerlintServer", uri: str) -> str | None:
    """The URI of the open notebook `uri` is a cell of, if it is one."""
    notebook = ls.workspace.get_notebook_document(cell_uri=uri)
    return notebook.uri if notebook is not None and not is_notebook(ls, uri) else None


def code_cells(ls: "KerlintServer", notebook: types.NotebookDocument) -> list[Cell]:
    cells = []
    for number, cell in enumerate(notebook.cells, start=1):
        if cell.kind != types.NotebookCellKind.Code or unquote(cell.document) not in ls.workspace.text_documents:
            continue
        document = ls.workspace.get_text_document(cell.document)
        if document.language_id not in (None, "python"):
            continue  # a cell switched to another language: not part of the Python program
        cells.append(Cell(number, cell.document, document.version, document.source))
    return cells


async def lint(ls: "KerlintServer", uri: str) -> tuple[list[Cell], Linted] | None:
    """Lint the notebook's current cells (or reuse the last result); None when it closed or changed meanwhile."""
    notebook = ls.workspace.get_notebook_document(notebook_uri=uri)
    if notebook is None:
        return None
    version, cells = notebook.version, code_cells(ls, notebook)
    joined = join_cells([(cell.number, cell.text) for cell in cells])
    key = joined.source + "\0" + ",".join(str(cell.number) for cell in cells)  # renumbered cells: lint again

    def still_current() -> bool:
        current = ls.workspace.get_notebook_document(notebook_uri=uri)
        return current is not None and current.version == version and code_cells(ls, current) == cells

    linted = await ls.lint_in_worker(uri, key, lambda shown, settings: lint_cells(joined, shown, settings), still_current)
    return (cells, linted) if linted is not None else None


async def lint_and_publish(ls: "KerlintServer", uri: str) -> None:
    result = await lint(ls, uri)
    if result is None:
        return
    cells, linted = result
    by_number = {cell.number: (cell, split_lines(cell.text)) for cell in cells}
    for cell in cells:
        own = [d for d in linted.diagnostics if _cell_of(d, cells) == cell.number]
        ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
            uri=cell.uri, version=cell.version, diagnostics=[_to_lsp(d, cell, by_number, ls.encoding) for d in own]))
    published = {cell.uri for cell in cells}
    for gone in ls.notebook_cells.get(uri, set()) - published:  # deleted, or no longer Python: clear
        ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=gone, diagnostics=[]))
    ls.notebook_cells[uri] = published


async def lint_cell(ls: "KerlintServer", uri: str, notebook_uri: str) -> tuple[int | None, Linted] | None:
    """One cell's share of its notebook's findings, as `KerlintServer.lint` returns a document's."""
    result = await lint(ls, notebook_uri)
    if result is None:
        return None
    cells, linted = result
    cell = next((cell for cell in cells if cell.uri == uri), None)
    if cell is None:
        return None
    own = [d for d in linted.diagnostics if _cell_of(d, cells) == cell.number]
    return cell.version, Linted(cell.text, linted.settings, own)


def closed(ls: "KerlintServer", params: types.DidCloseNotebookDocumentParams) -> None:
    uri = params.notebook_document.uri
    task = ls.pending.pop(uri, None)
    if task is not None:
        task.cancel()
    ls.linted.pop(uri, None)
    cells = ls.notebook_cells.pop(uri, set()) | {cell.uri for cell in params.cell_text_documents}
    for cell in cells:
        ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=cell, diagnostics=[]))


def _cell_of(diagnostic: Diagnostic, cells: list[Cell]) -> int | None:
    """A finding without a cell (the whole notebook over max-file-size) shows on the first code cell."""
    return diagnostic.cell if diagnostic.cell is not None else (cells[0].number if cells else None)


def _to_lsp(diagnostic: Diagnostic, cell: Cell, by_number: dict, encoding: str) -> types.Diagnostic:
    converted = to_lsp(diagnostic, cell.uri, by_number[cell.number][1], encoding)
    if converted.related_information:
        for item, related in zip(converted.related_information, diagnostic.related):
            if related.cell is not None and related.cell != cell.number and related.cell in by_number:
                other, lines = by_number[related.cell]
                item.location = types.Location(uri=other.uri, range=to_range(lines, related.span, encoding))
    return converted


def register(server: "KerlintServer", debounce_s: float) -> None:
    @server.feature(types.NOTEBOOK_DOCUMENT_DID_OPEN)
    def on_open(ls: "KerlintServer", params: types.DidOpenNotebookDocumentParams) -> None:
        ls.schedule(params.notebook_document.uri, 0)

    @server.feature(types.NOTEBOOK_DOCUMENT_DID_CHANGE)
    def on_change(ls: "KerlintServer", params: types.DidChangeNotebookDocumentParams) -> None:
        ls.schedule(params.notebook_document.uri, debounce_s)

    @server.feature(types.NOTEBOOK_DOCUMENT_DID_SAVE)
    def on_save(ls: "KerlintServer", params: types.DidSaveNotebookDocumentParams) -> None:
        ls.schedule(params.notebook_document.uri, 0)

    @server.feature(types.NOTEBOOK_DOCUMENT_DID_CLOSE)
    def on_close(ls: "KerlintServer", params: types.DidCloseNotebookDocumentParams) -> None:
        closed(ls, params)
