"""`kerlint lsp` end to end: a real LSP client starts `python -m kerlint lsp` and talks to it over stdio."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest

pytest.importorskip("pygls")

from lsprotocol import types  # noqa: E402

from kerlint.lsp.stdio_client import StdioSession  # noqa: E402

SEED = (
    "from keras.layers import Dense, Flatten\n"
    "from keras.models import Sequential\n"
    "from keras.optimizers import Adam\n"
    "\n"
    "model = Sequential([Flatten(), Dense(2, activation='relu')])\n"
    "model.compile(loss='categorical_crossentropy', optimizer=Adam(lr=1e-3), metrics=['accuracy'])\n"
)
FIXED = SEED.replace("activation='relu'", "activation='softmax'")
KL101_URL = "https://github.com/kerlint/kerlint/blob/main/docs/rules.md#kl101-non-softmax-output-with-categorical-crossentropy"


def run(scenario):
    asyncio.run(asyncio.wait_for(scenario(), 120))


def codes(published) -> list[str]:
    return [d.code for d in published.diagnostics]


def apply(text: str, edits: list[types.TextEdit]) -> str:
    """Apply single-line edits to ASCII text (positions are then the same in every encoding)."""
    lines = text.split("\n")
    for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        start, end = edit.range.start, edit.range.end
        assert start.line == end.line
        line = lines[start.line]
        lines[start.line] = line[: start.character] + edit.new_text + line[end.character :]
    return "\n".join(lines)


def test_open_publishes_the_seed_finding_with_range_docs_and_related(tmp_path):
    async def scenario():
        async with StdioSession() as session:
            assert session.result.capabilities.position_encoding == "utf-16"
            uri = session.uri(tmp_path / "train.py")
            session.open(uri, SEED)
            published = await session.diagnostics(uri, version=1)
            assert codes(published) == ["KL101", "KL701"]
            kl101 = published.diagnostics[0]
            assert kl101.range == types.Range(start=types.Position(line=4, character=40),
                                              end=types.Position(line=4, character=57))
            assert kl101.source == "kerlint"
            assert kl101.severity == types.DiagnosticSeverity.Error
            assert kl101.code_description.href == KL101_URL
            assert kl101.message.startswith("Dense(2, activation='relu') feeds categorical_crossentropy")
            (related,) = kl101.related_information
            assert related.location.uri == uri
            assert related.location.range.start == types.Position(line=5, character=19)
            assert related.message == "loss 'categorical_crossentropy' set here"
            assert published.diagnostics[1].severity == types.DiagnosticSeverity.Information
    run(scenario)


def test_change_that_fixes_the_program_clears_the_finding_and_close_clears_all(tmp_path):
    async def scenario():
        async with StdioSession() as session:
            uri = session.uri(tmp_path / "train.py")
            session.open(uri, SEED)
            await session.diagnostics(uri, version=1)
            version = session.change(uri, FIXED)
            assert codes(await session.diagnostics(uri, version=version)) == ["KL701"]
            count = len(session.published)
            session.close(uri)
            closed = await session.diagnostics(uri, after=count)
            assert list(closed.diagnostics) == []
    run(scenario)


def test_a_burst_of_edits_publishes_the_last_version_only(tmp_path):
    async def scenario():
        async with StdioSession() as session:
            uri = session.uri(tmp_path / "train.py")
            session.open(uri, SEED)
            await session.diagnostics(uri, version=1)
            count = len(session.published)
            for units in range(3, 23):  # 20 edits, each a different Dense(units, ...)
                last = session.change(uri, SEED.replace("Dense(2,", f"Dense({units},"))
            final = await session.diagnostics(uri, version=last)
            assert final.diagnostics[0].message.startswith("Dense(22, activation='relu')")
            await asyncio.sleep(0.5)  # anything stale still in flight would arrive now
            burst = session.published[count:]
            assert burst[-1] is final
            assert len(burst) <= 2, [item.version for item in burst]  # no backlog of 20 lints
    run(scenario)


def test_a_document_that_does_not_parse_gets_one_syntax_finding_and_the_server_lives_on(tmp_path):
    async def scenario():
        async with StdioSession() as session:
            uri = session.uri(tmp_path / "train.py")
            session.open(uri, SEED)
            await session.diagnostics(uri, version=1)
            half_typed = SEED.replace("metrics=['accuracy'])", "metrics=['accuracy'")
            version = session.change(uri, half_typed)
            broken = await session.diagnostics(uri, version=version)
            assert codes(broken) == ["KL001"]
            assert broken.diagnostics[0].severity == types.DiagnosticSeverity.Error
            assert "never closed" in broken.diagnostics[0].message
            for hostile in ("\0\0\0", "(" * 5000, "x = '\ud800'\n"):  # NUL bytes, deep nesting, a lone surrogate
                session.change(uri, hostile)
                await asyncio.sleep(0.1)
            version = session.change(uri, SEED)
            assert codes(await session.diagnostics(uri, version=version)) == ["KL101", "KL701"]
    run(scenario)


def test_non_ascii_text_before_a_finding_in_each_negotiated_encoding(tmp_path):
    line = 'name = "日本😀"; model = Sequential([Flatten(), Dense(2, activation=\'relu\')])  # é'
    source = SEED.replace("model = Sequential([Flatten(), Dense(2, activation='relu')])", line)
    column = line.index("activation")  # code points
    # 日 and 本 are 1 UTF-16 unit and 3 UTF-8 bytes each; 😀 is 2 UTF-16 units and 4 UTF-8 bytes.
    expected = {"utf-16": column + 1, "utf-8": column + 2 + 2 + 3, "utf-32": column}

    async def scenario(encoding: str):
        async with StdioSession(encodings=[encoding]) as session:
            assert session.result.capabilities.position_encoding == encoding
            uri = session.uri(tmp_path / "train.py")
            session.open(uri, source)
            published = await session.diagnostics(uri, version=1)
            kl101 = published.diagnostics[0]
            assert kl101.code == "KL101"
            assert kl101.range.start == types.Position(line=4, character=expected[encoding])
            assert kl101.range.end.character - kl101.range.start.character == len("activation='relu'")

    for encoding in expected:
        run(lambda: scenario(encoding))


def test_noqa_actions_add_or_extend_the_comment_and_silence_the_finding(tmp_path):
    async def scenario():
        async with StdioSession() as session:
            uri = session.uri(tmp_path / "train.py")
            session.open(uri, SEED)
            await session.diagnostics(uri, version=1)
            actions = await session.code_actions(uri, line=4)
            # the rule's own fix comes first; it changes the model (unsafe), so it is not the preferred action
            assert [a.title for a in actions] == ["Use a softmax output (KL101)", "Suppress KL101 with `# noqa: KL101`"]
            assert not actions[0].is_preferred
            (edit,) = actions[1].edit.changes[uri]
            assert edit.new_text == "  # noqa: KL101"
            assert edit.range.start == edit.range.end == types.Position(line=4, character=60)
            suppressed = apply(SEED, [edit])
            assert suppressed.splitlines()[4] == "model = Sequential([Flatten(), Dense(2, activation='relu')])  # noqa: KL101"
            version = session.change(uri, suppressed)
            assert codes(await session.diagnostics(uri, version=version)) == ["KL701"]

            with_list = SEED.replace("metrics=['accuracy'])\n", "metrics=['accuracy'])  # noqa: E501\n")
            version = session.change(uri, with_list)
            await session.diagnostics(uri, version=version)
            titles = {a.title: a for a in await session.code_actions(uri, line=5)}
            noqa = titles["Suppress KL701 with `# noqa: KL701`"]
            assert apply(with_list, noqa.edit.changes[uri]).splitlines()[5].endswith(
                "metrics=['accuracy'])  # noqa: E501, KL701")
    run(scenario)


def test_lr_quick_fix_renames_the_keyword_exactly(tmp_path):
    async def scenario():
        async with StdioSession() as session:
            uri = session.uri(tmp_path / "train.py")
            session.open(uri, SEED)
            await session.diagnostics(uri, version=1)
            actions = await session.code_actions(uri, line=5)
            fix = actions[0]
            assert fix.title == "Replace `lr` with `learning_rate` (KL701)"
            assert fix.kind == types.CodeActionKind.QuickFix and fix.is_preferred
            assert [d.code for d in fix.diagnostics] == ["KL701"]
            (edit,) = fix.edit.changes[uri]
            assert edit == types.TextEdit(
                range=types.Range(start=types.Position(line=5, character=62), end=types.Position(line=5, character=64)),
                new_text="learning_rate",
            )
            fixed = apply(SEED, [edit])
            assert "optimizer=Adam(learning_rate=1e-3)," in fixed
            version = session.change(uri, fixed)
            assert codes(await session.diagnostics(uri, version=version)) == ["KL101"]
    run(scenario)


def test_the_documents_pyproject_configuration_is_honoured(tmp_path):
    project = tmp_path / "project"
    (project / "src").mkdir(parents=True)
    pyproject = project / "pyproject.toml"
    pyproject.write_text('[tool.kerlint]\nignore = ["KL101"]\n', encoding="utf-8")
    (project / "src" / "train.py").write_text(SEED, encoding="utf-8")
    (tmp_path / "elsewhere.py").write_text(SEED, encoding="utf-8")

    async def scenario():
        async with StdioSession() as session:
            configured = session.uri(project / "src" / "train.py")
            session.open(configured, SEED)
            assert codes(await session.diagnostics(configured, version=1)) == ["KL701"]
            unconfigured = session.uri(tmp_path / "elsewhere.py")
            session.open(unconfigured, SEED)
            assert codes(await session.diagnostics(unconfigured, version=1)) == ["KL101", "KL701"]
            pyproject.write_text('[tool.kerlint]\nignore = ["KL701"]\n', encoding="utf-8")
            version = session.change(configured, SEED + "\n")
            assert codes(await session.diagnostics(configured, version=version)) == ["KL101"]
            pyproject.write_text('[tool.kerlint]\nignore = ["KL7O1"]\n', encoding="utf-8")  # a typo: logged
            version = session.change(configured, SEED)
            assert codes(await session.diagnostics(configured, version=version)) == ["KL101", "KL701"]
            await session.wait_for(lambda: any("KL7O1" in log for log in session.logs))
    run(scenario)


FAKE_PROBE = """\
import json, sys
from pathlib import Path
Path(sys.argv[1]).with_suffix(".probed").write_text("ran")
if {exit_code} == 2:
    sys.stderr.write("kerlint: error: unrecognized arguments: --probe")
    sys.exit(2)
print(json.dumps([{{"code": "KL101", "severity": "error", "message": "m", "location": {{"row": 5, "column": 41}},
                   "probe": {{"verdict": "confirmed", "evidence": "loss NaN at step 3"}}}}]))
sys.exit(1)
"""


def _fake_probe(tmp_path: Path, exit_code: int) -> dict[str, str]:
    script = tmp_path / f"fake_probe_{exit_code}.py"
    script.write_text(FAKE_PROBE.format(exit_code=exit_code), encoding="utf-8")
    return {"KERLINT_LSP_PROBE_COMMAND": f"{sys.executable} {script}"}


def test_probe_on_save_merges_the_verdict_when_turned_on(tmp_path):
    path = tmp_path / "train.py"
    path.write_text(SEED, encoding="utf-8")

    async def scenario():
        async with StdioSession(options={"kerlint": {"probeOnSave": True}}, env=_fake_probe(tmp_path, 1)) as session:
            uri = session.uri(path)
            session.open(uri, SEED)
            await session.diagnostics(uri, version=1)
            session.save(uri)
            probed = await session.wait_for(lambda: next(
                (p for p in session.published if p.diagnostics and "probe:" in p.diagnostics[0].message), None))
            assert codes(probed) == ["KL101", "KL701"]
            assert probed.diagnostics[0].message.endswith("\nprobe: confirmed — loss NaN at step 3")
    run(scenario)


def test_probe_on_save_is_off_by_default_and_a_missing_probe_keeps_static_findings(tmp_path):
    path = tmp_path / "train.py"
    path.write_text(SEED, encoding="utf-8")

    async def off():
        async with StdioSession(env=_fake_probe(tmp_path, 1)) as session:
            uri = session.uri(path)
            session.open(uri, SEED)
            await session.diagnostics(uri, version=1)
            count = len(session.published)
            session.save(uri)
            assert codes(await session.diagnostics(uri, after=count)) == ["KL101", "KL701"]
            await asyncio.sleep(1.0)
        assert not path.with_suffix(".probed").exists()  # user code never ran

    async def unavailable():
        async with StdioSession(env=_fake_probe(tmp_path, 2)) as session:
            session.client.workspace_did_change_configuration(
                types.DidChangeConfigurationParams(settings={"kerlint": {"probeOnSave": True}}))
            uri = session.uri(path)
            session.open(uri, SEED)
            await session.diagnostics(uri, version=1)
            session.save(uri)
            await session.wait_for(lambda: any("exited with code 2" in log for log in session.logs))
            assert path.with_suffix(".probed").exists()
            assert all("probe:" not in d.message for p in session.published for d in p.diagnostics)
            assert codes(session.published[-1]) == ["KL101", "KL701"]

    run(off)
    run(unavailable)


def test_a_document_over_max_file_size_gets_one_unreadable_finding(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.kerlint]\nmax-file-size = 100\n", encoding="utf-8")

    async def scenario():
        async with StdioSession() as session:
            uri = session.uri(tmp_path / "train.py")
            session.open(uri, SEED)
            published = await session.diagnostics(uri, version=1)
            assert codes(published) == ["KL002"]
            assert "over the" in published.diagnostics[0].message
    run(scenario)


def test_probe_on_save_runs_the_real_probe_command(tmp_path):
    """No fake: `python -m kerlint check --probe --output-format json FILE`. With Keras installed its verdict
    is merged into KL101; without, the probe says it needs Keras, the server logs that and keeps the static
    findings."""
    import importlib.util

    path = tmp_path / "train.py"
    path.write_text(SEED, encoding="utf-8")
    keras_installed = importlib.util.find_spec("keras") is not None

    async def scenario():
        async with StdioSession(options={"probeOnSave": True}) as session:
            uri = session.uri(path)
            session.open(uri, SEED)
            await session.diagnostics(uri, version=1)
            session.save(uri)
            if not keras_installed:
                logged = await session.wait_for(
                    lambda: next((line for line in session.logs if "gave no verdict" in line), None), timeout=60)
                assert "needs Keras" in logged
                assert codes(session.published[-1])[0] == "KL101"
                return
            probed = await session.wait_for(lambda: next(
                (p for p in session.published if p.diagnostics and "\nprobe: " in p.diagnostics[0].message), None),
                timeout=300)
            assert codes(probed)[0] == "KL101"
    asyncio.run(asyncio.wait_for(scenario(), 330))


def _probe_tree(marker: Path) -> set[int]:
    """Live processes of a probe of `marker` (kerlint check, its supervisor, the script's process)."""
    import os

    found = set()
    for entry in os.listdir("/proc"):
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as handle:
                command = handle.read()
            with open(f"/proc/{entry}/stat", "rb") as handle:
                zombie = handle.read().rsplit(b")", 1)[1].split()[0] == b"Z"
        except (OSError, IndexError):
            continue
        if str(marker).encode() in command and not zombie:
            found.add(int(entry))
    return found


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads the process table in /proc")
def test_a_new_save_and_shutdown_kill_the_whole_probe_tree(tmp_path):
    """A script that never ends: the second save kills the first probe's whole tree (kerlint check, the
    supervisor, the script), and shutting the server down kills the second's."""
    import importlib.util
    import time

    if importlib.util.find_spec("keras") is None:
        pytest.skip("the probe needs Keras: pip install 'kerlint[keras]'")
    path = tmp_path / "train.py"
    text = SEED + "import time\nwhile True:\n    time.sleep(1)\n"
    path.write_text(text, encoding="utf-8")

    async def scenario():
        async with StdioSession(options={"probeOnSave": True}) as session:
            uri = session.uri(path)
            session.open(uri, text)
            await session.diagnostics(uri, version=1)
            session.save(uri)
            first = await session.wait_for(lambda: (len(_probe_tree(path)) >= 3 and _probe_tree(path)) or None, timeout=60)
            session.save(uri)
            await session.wait_for(lambda: not first & _probe_tree(path) and _probe_tree(path), timeout=30)
        deadline = time.monotonic() + 10
        while _probe_tree(path) and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
        assert _probe_tree(path) == set()
    asyncio.run(asyncio.wait_for(scenario(), 180))
