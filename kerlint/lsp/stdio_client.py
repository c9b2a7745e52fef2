"""A small LSP client that starts `python -m kerlint lsp` over stdio: the tests and the benchmark use it
to talk to the server exactly as an editor does."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from lsprotocol import types
from pygls.lsp.client import LanguageClient
from pygls.uris import from_fs_path

REPO = Path(__file__).resolve().parents[2]


@dataclass
class Published:
    uri: str
    version: int | None
    diagnostics: list[types.Diagnostic]
    at: float  # time.perf_counter() when it arrived


class StdioSession:
    """`async with StdioSession() as session:` starts and initializes a server; leaving shuts it down."""

    def __init__(self, encodings: list[str] | None = None, options: Any = None, env: dict[str, str] | None = None,
                 cwd: Path | None = None) -> None:
        self.client = LanguageClient("kerlint-tests", "1")
        self.encodings = encodings
        self.options = options
        self.env = {**os.environ, "PYTHONPATH": str(REPO), **(env or {})}
        self.cwd = cwd
        self.published: list[Published] = []
        self.logs: list[str] = []
        self.result: types.InitializeResult | None = None
        self._changed = asyncio.Event()
        self.versions: dict[str, int] = {}

        @self.client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def _diagnostics(params: types.PublishDiagnosticsParams) -> None:
            self.published.append(Published(params.uri, params.version, params.diagnostics, time.perf_counter()))
            self._changed.set()

        @self.client.feature(types.WINDOW_LOG_MESSAGE)
        def _log(params: types.LogMessageParams) -> None:
            self.logs.append(params.message)
            self._changed.set()

    async def __aenter__(self) -> "StdioSession":
        await self.client.start_io(sys.executable, "-m", "kerlint", "lsp", env=self.env,
                                   cwd=str(self.cwd or REPO))
        general = types.GeneralClientCapabilities(position_encodings=self.encodings) if self.encodings else None
        capabilities = types.ClientCapabilities(
            general=general,
            text_document=types.TextDocumentClientCapabilities(
                publish_diagnostics=types.PublishDiagnosticsClientCapabilities(related_information=True),
            ),
            notebook_document=types.NotebookDocumentClientCapabilities(
                synchronization=types.NotebookDocumentSyncClientCapabilities()),
        )
        self.result = await asyncio.wait_for(
            self.client.initialize_async(
                types.InitializeParams(capabilities=capabilities, process_id=os.getpid(),
                                       initialization_options=self.options)
            ),
            60,
        )
        self.client.initialized(types.InitializedParams())
        return self

    async def __aexit__(self, *exc_info: Any) -> None:
        try:
            await asyncio.wait_for(self.client.shutdown_async(None), 10)
            self.client.exit(None)
        finally:
            await self.client.stop()

    # --- documents ---------------------------------------------------------------------------------

    @staticmethod
    def uri(path: Path) -> str:
        return from_fs_path(str(path))

    def open(self, uri: str, text: str) -> None:
        self.versions[uri] = 1
        self.client.text_document_did_open(types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="python", version=1, text=text)))

    def change(self, uri: str, text: str) -> int:
        """Replace the whole text; returns the new version."""
        self.versions[uri] += 1
        self.client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=self.versions[uri]),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)]))
        return self.versions[uri]

    def save(self, uri: str) -> None:
        self.client.text_document_did_save(types.DidSaveTextDocumentParams(
            text_document=types.TextDocumentIdentifier(uri=uri)))

    def close(self, uri: str) -> None:
        self.client.text_document_did_close(types.DidCloseTextDocumentParams(
            text_document=types.TextDocumentIdentifier(uri=uri)))

    # --- notebooks, as VS Code's notebook editor syncs them (LSP 3.17) ---------------------------------

    @staticmethod
    def cell_uri(path: Path, handle: int) -> str:
        """A cell's URI the way VS Code spells one: the notebook's path and a fragment per cell."""
        return f"vscode-notebook-cell:{path.as_posix()}#W{handle}sZmlsZQ%3D%3D"

    @staticmethod
    def notebook_cells(path: Path, cells: list[tuple[str, str]], first_handle: int = 0) -> tuple[
            list[types.NotebookCell], list[types.TextDocumentItem]]:
        """(cell_type, source) of each cell, as in an .ipynb -> the cells and their text documents."""
        kinds = {"code": types.NotebookCellKind.Code}
        notebook_cells, documents = [], []
        for handle, (cell_type, source) in enumerate(cells, start=first_handle):
            uri = StdioSession.cell_uri(path, handle)
            notebook_cells.append(types.NotebookCell(kind=kinds.get(cell_type, types.NotebookCellKind.Markup), document=uri))
            language = "python" if cell_type == "code" else "markdown"
            documents.append(types.TextDocumentItem(uri=uri, language_id=language, version=1, text=source))
        return notebook_cells, documents

    def open_notebook(self, path: Path, cells: list[tuple[str, str]]) -> list[str]:
        """Open a Jupyter notebook of these cells; returns each cell's URI."""
        uri = self.uri(path)
        self.versions[uri] = 1
        notebook_cells, documents = self.notebook_cells(path, cells)
        for document in documents:
            self.versions[document.uri] = 1
        self.client.notebook_document_did_open(types.DidOpenNotebookDocumentParams(
            notebook_document=types.NotebookDocument(uri=uri, notebook_type="jupyter-notebook", version=1,
                                                     cells=notebook_cells),
            cell_text_documents=documents))
        return [document.uri for document in documents]

    def change_cell(self, path: Path, cell_uri: str, text: str) -> int:
        """Replace one cell's whole text, as the editor does when a cell is edited; returns its version."""
        uri = self.uri(path)
        self.versions[uri] += 1
        self.versions[cell_uri] += 1
        content = types.NotebookDocumentCellContentChanges(
            document=types.VersionedTextDocumentIdentifier(uri=cell_uri, version=self.versions[cell_uri]),
            changes=[types.TextDocumentContentChangeWholeDocument(text=text)])
        self._change_notebook(uri, types.NotebookDocumentCellChanges(text_content=[content]))
        return self.versions[cell_uri]

    def insert_cells(self, path: Path, start: int, cells: list[tuple[str, str]], first_handle: int) -> list[str]:
        """Insert cells before index `start` (as adding a cell in the editor does); returns their URIs."""
        uri = self.uri(path)
        self.versions[uri] += 1
        notebook_cells, documents = self.notebook_cells(path, cells, first_handle)
        for document in documents:
            self.versions[document.uri] = 1
        structure = types.NotebookDocumentCellChangeStructure(
            array=types.NotebookCellArrayChange(start=start, delete_count=0, cells=notebook_cells), did_open=documents)
        self._change_notebook(uri, types.NotebookDocumentCellChanges(structure=structure))
        return [document.uri for document in documents]

    def _change_notebook(self, uri: str, cells: types.NotebookDocumentCellChanges) -> None:
        self.client.notebook_document_did_change(types.DidChangeNotebookDocumentParams(
            notebook_document=types.VersionedNotebookDocumentIdentifier(uri=uri, version=self.versions[uri]),
            change=types.NotebookDocumentChangeEvent(cells=cells)))

    def close_notebook(self, path: Path, cell_uris: list[str]) -> None:
        self.client.notebook_document_did_close(types.DidCloseNotebookDocumentParams(
            notebook_document=types.NotebookDocumentIdentifier(uri=self.uri(path)),
            cell_text_documents=[types.TextDocumentIdentifier(uri=cell) for cell in cell_uris]))

    async def code_actions(self, uri: str, line: int) -> list[types.CodeAction]:
        whole_line = types.Range(start=types.Position(line=line, character=0),
                                 end=types.Position(line=line, character=0))
        result = await asyncio.wait_for(self.client.text_document_code_action_async(types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri), range=whole_line,
            context=types.CodeActionContext(diagnostics=[]))), 30)
        return [action for action in result or [] if isinstance(action, types.CodeAction)]

    # --- waiting -----------------------------------------------------------------------------------

    async def wait_for(self, predicate: Callable[[], Any], timeout: float = 30, poll_s: float = 0.2) -> Any:
        """The predicate's first truthy value: checked on every message from the server and every `poll_s`
        (a predicate may read state outside the session, e.g. the process table)."""
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"timed out; published: {self.published[-3:]}; logs: {self.logs[-3:]}")
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), min(remaining, poll_s))
            except asyncio.TimeoutError:
                pass

    async def diagnostics(self, uri: str, version: int | None = None, after: int = 0,
                          timeout: float = 30) -> Published:
        """The first publication for `uri` (at `version`, if given) among those after index `after`."""
        def found():
            for item in self.published[after:]:
                if item.uri == uri and (version is None or item.version == version):
                    return item
            return None
        return await self.wait_for(found, timeout)
