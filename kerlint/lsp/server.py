"""The language server: lint open documents as they change and publish kerlint's findings.

Scheduling: didOpen and didSave lint at once, didChange after a short debounce; a newer edit cancels a
pending lint, and a lint whose document changed while it ran is dropped, so after a burst of edits only
the newest text is linted and published. Linting runs on one worker thread, off the event loop.
"""

from __future__ import annotations

import asyncio
import os
import threading
import traceback
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from kerlint import __version__
from kerlint.diagnostic import Diagnostic
from kerlint.engine import LintSettings, lint_bytes, lint_source
from kerlint.incremental import IncrementalParser
from kerlint.lsp import notebooks
from kerlint.lsp.actions import code_actions
from kerlint.lsp.convert import to_lsp
from kerlint.lsp.linted import Linted
from kerlint.lsp.positions import split_lines
from kerlint.lsp.probe_on_save import ProbeFailed, kill_all, merge, run_probe
from kerlint.lsp.project import ProjectConfigs

DEBOUNCE_S = float(os.environ.get("KERLINT_LSP_DEBOUNCE_MS", "50")) / 1000
# libcst recurses deeply on long expressions; worker threads get a main-thread-sized stack.
WORKER_STACK_BYTES = 64 * 1024 * 1024


def lint_text(text: str, shown: str, settings: LintSettings, parser: IncrementalParser | None = None) -> list[Diagnostic]:
    """lint_source, with the CLI's size limit: an oversized document gets one KL002, as its file would.
    With `parser`, only the top-level statements an edit touched are parsed again."""
    data = text.encode("utf-8", "surrogatepass")
    if len(data) > settings.max_file_bytes:
        return lint_bytes(data, shown, settings)
    return lint_source(text, shown, settings, parser.parse if parser is not None else None)


class KerlintServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("kerlint", __version__, notebook_document_sync=notebooks.SYNC)
        self.configs = ProjectConfigs()
        self.linted: dict[str, Linted] = {}
        self.parsers: dict[str, IncrementalParser] = {}  # used on the lint thread only
        self.pending: dict[str, asyncio.Task] = {}
        self.probes: dict[str, asyncio.Task] = {}
        self.probe_on_save = False
        self.notebook_cells: dict[str, set[str]] = {}  # notebook URI -> the cell URIs last published
        self.logged_errors: set[str] = set()
        previous = threading.stack_size()
        threading.stack_size(WORKER_STACK_BYTES)
        try:
            self.worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kerlint-lint")
            self.worker.submit(lambda: None).result()  # start the thread now, with the big stack
        finally:
            threading.stack_size(previous)

    # --- helpers -----------------------------------------------------------------------------------

    @property
    def encoding(self) -> str:
        return str(self.workspace.position_encoding or types.PositionEncodingKind.Utf16)

    def log(self, message: str, kind: types.MessageType = types.MessageType.Info) -> None:
        self.window_log_message(types.LogMessageParams(type=kind, message=f"kerlint: {message}"))

    def log_once(self, message: str) -> None:
        if message not in self.logged_errors:
            self.logged_errors.add(message)
            self.log(message, types.MessageType.Warning)

    def is_open(self, uri: str) -> bool:
        return uri in self.workspace.text_documents

    @staticmethod
    def path_of(uri: str) -> Path | None:
        if not uri.startswith("file:"):
            return None
        path = to_fs_path(uri)
        return Path(path) if path else None

    def settings_for(self, uri: str) -> LintSettings:
        settings = self.configs.settings_for(self.path_of(uri))
        for problem in self.configs.errors.values():
            self.log_once(problem)
        return settings

    def publish(self, uri: str, version: int | None, text: str, diagnostics: list[Diagnostic]) -> None:
        lines = split_lines(text)
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(
                uri=uri, version=version, diagnostics=[to_lsp(d, uri, lines, self.encoding) for d in diagnostics]
            )
        )

    # --- linting -----------------------------------------------------------------------------------

    def schedule(self, uri: str, delay_s: float) -> None:
        """Lint `uri` after `delay_s`, replacing any lint still waiting for it."""
        waiting = self.pending.pop(uri, None)
        if waiting is not None:
            waiting.cancel()
        self.pending[uri] = asyncio.ensure_future(self._lint_later(uri, delay_s))

    async def _lint_later(self, uri: str, delay_s: float) -> None:
        try:
            if delay_s > 0:
                await asyncio.sleep(delay_s)
            await self.lint_and_publish(uri)
        except asyncio.CancelledError:
            raise
        except Exception:  # a bug here must not take the server down: say so and keep serving
            self.log(f"linting {uri} failed:\n{traceback.format_exc()}", types.MessageType.Error)
        finally:
            if self.pending.get(uri) is asyncio.current_task():
                del self.pending[uri]

    async def lint(self, uri: str) -> tuple[int | None, Linted] | None:
        """Lint the document's current text (or reuse the last result for identical text); None when the
        document closed or changed while linting ran."""
        notebook_uri = notebooks.notebook_of_cell(self, uri)
        if notebook_uri is not None:  # a notebook cell: its share of the whole notebook's findings
            return await notebooks.lint_cell(self, uri, notebook_uri)
        if not self.is_open(uri):
            return None
        document = self.workspace.get_text_document(uri)
        text, version = document.source, document.version
        parser = self.parsers.setdefault(uri, IncrementalParser())
        linted = await self.lint_in_worker(
            uri, text, lambda shown, settings: lint_text(text, shown, settings, parser),
            lambda: self.is_open(uri) and self.workspace.get_text_document(uri).version == version)
        return (version, linted) if linted is not None else None

    async def lint_in_worker(self, uri: str, key: str, lint: Callable[[str, LintSettings], list[Diagnostic]],
                             still_current: Callable[[], bool]) -> Linted | None:
        """`lint(shown, settings)` for a document or a notebook, in the worker thread, with the rules' fixes
        (the code actions offer them); the last result when it was for the same `key` (the text linted) and
        settings. None when `still_current()` says newer text arrived meanwhile: its own lint publishes."""
        settings = replace(self.settings_for(uri), fixes=True)
        last = self.linted.get(uri)
        if last is not None and last.text == key and last.settings == settings:
            return last
        path = self.path_of(uri)
        shown = str(path) if path is not None else uri
        diagnostics = await asyncio.get_running_loop().run_in_executor(self.worker, lint, shown, settings)
        if not still_current():
            return None
        linted = Linted(key, settings, diagnostics)
        self.linted[uri] = linted
        return linted

    async def lint_and_publish(self, uri: str) -> None:
        if notebooks.is_notebook(self, uri):
            await notebooks.lint_and_publish(self, uri)
            return
        result = await self.lint(uri)
        if result is not None:
            version, linted = result
            self.publish(uri, version, linted.text, linted.diagnostics)

    # --- probe on save -----------------------------------------------------------------------------

    def start_probe(self, uri: str) -> None:
        path = self.path_of(uri)
        if path is None or not path.is_file():
            return
        running = self.probes.pop(uri, None)
        if running is not None:
            running.cancel()
        self.probes[uri] = asyncio.ensure_future(self._probe(uri, path))

    async def _probe(self, uri: str, path: Path) -> None:
        try:
            version = self.workspace.get_text_document(uri).version if self.is_open(uri) else None
            self.log(f"probing {path} (kerlint.probeOnSave is on)")
            try:
                records = await run_probe(path)
            except ProbeFailed as failure:
                self.log(f"probe on save: {failure}; showing the static findings only", types.MessageType.Warning)
                return
            except OSError as error:
                self.log(f"probe on save could not start: {error}", types.MessageType.Warning)
                return
            result = await self.lint(uri)
            if result is None or result[0] != version:
                return  # edited since the save: the probe saw other text
            _, linted = result
            linted.diagnostics = merge(linted.diagnostics, records, str(path))
            self.publish(uri, version, linted.text, linted.diagnostics)
        except asyncio.CancelledError:
            raise
        except Exception:
            self.log(f"probe on save failed:\n{traceback.format_exc()}", types.MessageType.Error)
        finally:
            if self.probes.get(uri) is asyncio.current_task():
                del self.probes[uri]

    def configure(self, settings: Any) -> None:
        """`{"probeOnSave": true}` or `{"kerlint": {"probeOnSave": true}}` (initializationOptions or
        workspace/didChangeConfiguration)."""
        if not isinstance(settings, dict):
            return
        if isinstance(settings.get("kerlint"), dict):
            settings = settings["kerlint"]
        if "probeOnSave" in settings:
            self.probe_on_save = bool(settings["probeOnSave"])


server = KerlintServer()
notebooks.register(server, DEBOUNCE_S)


@server.feature(types.INITIALIZE)
def on_initialize(ls: KerlintServer, params: types.InitializeParams) -> None:
    ls.configure(params.initialization_options)


@server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
def on_configuration(ls: KerlintServer, params: types.DidChangeConfigurationParams) -> None:
    ls.configure(params.settings)


@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
def on_open(ls: KerlintServer, params: types.DidOpenTextDocumentParams) -> None:
    ls.schedule(params.text_document.uri, 0)


@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
def on_change(ls: KerlintServer, params: types.DidChangeTextDocumentParams) -> None:
    ls.schedule(params.text_document.uri, DEBOUNCE_S)


@server.feature(types.TEXT_DOCUMENT_DID_SAVE)
def on_save(ls: KerlintServer, params: types.DidSaveTextDocumentParams) -> None:
    uri = params.text_document.uri
    ls.schedule(uri, 0)
    if ls.probe_on_save:
        ls.start_probe(uri)


@server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
def on_close(ls: KerlintServer, params: types.DidCloseTextDocumentParams) -> None:
    uri = params.text_document.uri
    for tasks in (ls.pending, ls.probes):
        task = tasks.pop(uri, None)
        if task is not None:
            task.cancel()
    ls.linted.pop(uri, None)
    ls.parsers.pop(uri, None)
    ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))


@server.feature(
    types.TEXT_DOCUMENT_CODE_ACTION,
    types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix], resolve_provider=False),
)
async def on_code_action(ls: KerlintServer, params: types.CodeActionParams) -> list[types.CodeAction] | None:
    uri = params.text_document.uri
    try:
        result = await ls.lint(uri)
        if result is None:
            return None
        _, linted = result
        lines = split_lines(linted.text)
        return code_actions(uri, linted.text, lines, linted.diagnostics, params.range, ls.encoding) or None
    except Exception:
        ls.log(f"code actions for {uri} failed:\n{traceback.format_exc()}", types.MessageType.Error)
        return None


@server.feature(types.SHUTDOWN)
def on_shutdown(ls: KerlintServer, params: None) -> None:
    kill_all()  # probes on save end with the server, not when their own time is up


def main() -> int:
    try:
        server.start_io()
    finally:
        kill_all()  # the client closed stdin or sent exit without a shutdown
    return 0
