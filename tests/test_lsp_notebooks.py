"""`kerlint lsp` in notebooks, end to end: a real LSP client syncs a notebook the way VS Code's notebook
editor does (LSP 3.17 `notebookDocument/didOpen|didChange|didClose`, one text document per cell) and
gets each cell's findings on that cell's URI."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

pytest.importorskip("pygls")

from lsprotocol import types  # noqa: E402

from kerlint.lsp.stdio_client import StdioSession  # noqa: E402

MNIST = Path(__file__).parent / "data" / "notebooks" / "mnist_jupyter.ipynb"


def run(scenario):
    asyncio.run(asyncio.wait_for(scenario(), 120))


def cells_of(path: Path) -> list[tuple[str, str]]:
    document = json.loads(path.read_text(encoding="utf-8"))
    return [(cell["cell_type"], "".join(cell["source"])) for cell in document["cells"]]


def position(line: int, character: int) -> types.Position:
    return types.Position(line=line, character=character)


async def latest(session: StdioSession, uris: list[str], after: int) -> dict[str, list[types.Diagnostic]]:
    """Each URI's diagnostics in its first publication after index `after`."""
    found = {}
    for uri in uris:
        found[uri] = (await session.diagnostics(uri, after=after)).diagnostics
    return found


def test_server_advertises_notebook_sync_for_python_cells():
    async def scenario():
        async with StdioSession() as session:
            sync = session.result.capabilities.notebook_document_sync
            (selector,) = sync.notebook_selector
            assert selector.notebook == "*" and [cell.language for cell in selector.cells] == ["python"]
    run(scenario)


def test_open_notebook_publishes_each_cells_findings_on_its_own_uri(tmp_path):
    path = tmp_path / "mnist.ipynb"

    async def scenario():
        async with StdioSession() as session:
            uris = session.open_notebook(path, cells_of(MNIST))
            code = [uri for uri, (kind, _) in zip(uris, cells_of(MNIST)) if kind == "code"]
            found = await latest(session, code, 0)
            assert {uris.index(uri) + 1: [d.code for d in found[uri]] for uri in code} == {
                2: [], 3: [], 5: ["KL101"], 6: [], 7: [], 8: ["KL001"], 9: ["KL701"]}
            (kl101,) = found[uris[4]]  # the model, built in cell 5 ...
            assert kl101.range == types.Range(start=position(4, 21), end=position(4, 38))
            assert kl101.message.startswith('layers.Dense(10, activation="relu") feeds categorical_crossentropy')
            (related,) = kl101.related_information  # ... compiled in cell 6, where the loss is set
            assert related.location.uri == uris[5]
            assert related.location.range.start == position(1, 37)
            (syntax,) = found[uris[7]]
            assert syntax.range.start == position(0, 5) and "'(' was never closed" in syntax.message
            (kl701,) = found[uris[8]]  # line 1's lr= is suppressed by its `# noqa: KL701`
            assert kl701.range.start == position(1, 31)
            assert not any("magic" in log or "Traceback" in log for log in session.logs)
    run(scenario)


def test_editing_a_cell_relints_the_whole_notebook_and_close_clears_every_cell(tmp_path):
    path = tmp_path / "mnist.ipynb"

    async def scenario():
        async with StdioSession() as session:
            cells = cells_of(MNIST)
            uris = session.open_notebook(path, cells)
            await latest(session, [uris[4]], 0)
            # Fixing the loss in cell 6 clears the finding in cell 5: the cells are one program.
            count = len(session.published)
            session.change_cell(path, uris[5], cells[5][1].replace('"categorical_crossentropy"', '"mse"'))
            assert list((await session.diagnostics(uris[4], after=count)).diagnostics) == []
            # Undone, under a new markdown cell on top (which renumbers the cells): the finding is back
            # on cell 5's URI, and the markdown cell gets nothing.
            count = len(session.published)
            (title,) = session.insert_cells(path, 0, [("markdown", "# Added later")], first_handle=100)
            session.change_cell(path, uris[5], cells[5][1])
            back = await session.wait_for(lambda: [p for p in session.published[count:] if p.uri == uris[4] and p.diagnostics])
            assert [d.code for d in back[0].diagnostics] == ["KL101"]
            assert back[0].diagnostics[0].related_information[0].location.uri == uris[5]
            assert not any(p.uri == title for p in session.published)
            count = len(session.published)
            session.close_notebook(path, [title, *uris])
            code = [uri for uri, (kind, _) in zip(uris, cells) if kind == "code"]

            # The server publishes a lint's cells one message each, so the cells after cell 5 of the lint
            # awaited above may still arrive after `count`: every code cell must end with an empty
            # publication that came after the close, whatever arrived in between.
            def every_code_cell_cleared():
                last = {item.uri: item for item in session.published}
                since_close = {item.uri for item in session.published[count:]}
                return all(uri in since_close and list(last[uri].diagnostics) == [] for uri in code)

            assert await session.wait_for(every_code_cell_cleared)
    run(scenario)


def test_code_actions_in_a_cell_edit_that_cell(tmp_path):
    path = tmp_path / "mnist.ipynb"

    async def scenario():
        async with StdioSession() as session:
            uris = session.open_notebook(path, cells_of(MNIST))
            await latest(session, [uris[8]], 0)
            actions = await session.code_actions(uris[8], 1)
            titles = [action.title for action in actions]
            assert "Suppress KL701 with `# noqa: KL701`" in titles
            for action in actions:
                assert list(action.edit.changes) == [uris[8]]
                assert action.diagnostics[0].range.start == position(1, 31)
    run(scenario)


def test_the_rules_fix_in_a_cell_edits_exactly_that_cells_text(tmp_path):
    path = tmp_path / "mnist.ipynb"

    async def scenario():
        async with StdioSession() as session:
            uris = session.open_notebook(path, cells_of(MNIST))
            await latest(session, [uris[8]], 0)
            actions = {action.title: action for action in await session.code_actions(uris[8], 1)}
            rename = actions["Replace `lr` with `learning_rate` (KL701)"]
            assert rename.is_preferred
            (edit,) = rename.edit.changes[uris[8]]
            assert (edit.range.start, edit.range.end, edit.new_text) == (position(1, 31), position(1, 33), "learning_rate")
    run(scenario)
