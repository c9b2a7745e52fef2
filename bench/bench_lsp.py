"""Editor latency: from didChange to publishDiagnostics, over a real stdio connection to `kerlint lsp`.

    python bench/bench_lsp.py [--edits N] [--lines L] [--pause S]

Opens a synthetic ~500-line Keras file (the one bench_check.py times), then sends N incremental edits
(one number changed on one line, as typing does), each after a pause so edits don't coalesce, and times
each edit from sending didChange to receiving the publishDiagnostics for that version. Runs twice:
with the server's debounce at 0 ms (the cost of linting and the round trip alone) and at its default
(what a user sees). Also times the engine alone, in-process, on the same text.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from lsprotocol import types  # noqa: E402

from bench_check import synthetic_file  # noqa: E402
from kerlint.engine import LintSettings, lint_source  # noqa: E402
from kerlint.incremental import IncrementalParser  # noqa: E402
from kerlint.lsp.server import DEBOUNCE_S  # noqa: E402
from kerlint.lsp.stdio_client import StdioSession  # noqa: E402


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def describe(label: str, seconds: list[float]) -> str:
    ms = [s * 1000 for s in seconds]
    return (f"{label}: median {statistics.median(ms):.1f} ms, p90 {percentile(ms, 0.9):.1f} ms, "
            f"min {min(ms):.1f} ms, max {max(ms):.1f} ms (n={len(ms)})")


async def edit_latencies(text: str, edits: int, pause: float, debounce_ms: int | None) -> tuple[list[float], int]:
    env = {} if debounce_ms is None else {"KERLINT_LSP_DEBOUNCE_MS": str(debounce_ms)}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "train.py"
        path.write_text(text, encoding="utf-8")
        async with StdioSession(env=env, cwd=Path(folder)) as session:
            uri = session.uri(path)
            session.open(uri, text)
            opened = await session.diagnostics(uri, version=1, timeout=60)
            lines = text.split("\n")
            row = next(i for i, line in enumerate(lines) if line.startswith("model_0 = build_0("))
            start = lines[row].index("(") + 1
            current = lines[row][start:lines[row].index(")")]
            latencies = []
            for edit in range(edits):
                await asyncio.sleep(pause)
                new = str(64 + edit + 1)
                version = session.versions[uri] = session.versions[uri] + 1
                change = types.TextDocumentContentChangePartial(
                    range=types.Range(start=types.Position(line=row, character=start),
                                      end=types.Position(line=row, character=start + len(current))),
                    text=new,
                )
                count = len(session.published)
                sent = time.perf_counter()
                session.client.text_document_did_change(types.DidChangeTextDocumentParams(
                    text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                    content_changes=[change]))
                published = await session.diagnostics(uri, version=version, after=count, timeout=60)
                latencies.append(published.at - sent)
                current = new
            return latencies, len(opened.diagnostics)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=40)
    parser.add_argument("--lines", type=int, default=500)
    parser.add_argument("--pause", type=float, default=0.3, help="seconds between edits (default 0.3)")
    args = parser.parse_args()

    text = synthetic_file(args.lines).decode()
    print(f"file: synthetic Keras script, {text.count(chr(10))} lines; {args.edits} edits, {args.pause}s apart; "
          f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}")

    settings = LintSettings.all_rules()
    lint_source(text, "warmup.py", settings)
    engine = []
    for _ in range(args.edits):
        start = time.perf_counter()
        lint_source(text, "bench.py", settings)
        engine.append(time.perf_counter() - start)
    print(describe("engine alone, in-process (lint_source)", engine))
    parser_ = IncrementalParser()
    lint_source(text, "bench.py", settings, parser_.parse)
    incremental = []
    for edit in range(args.edits):  # the server's case: one number changed, then the whole document linted
        edited = text.replace("model_0 = build_0(64)", f"model_0 = build_0({65 + edit})")
        start = time.perf_counter()
        lint_source(edited, "bench.py", settings, parser_.parse)
        incremental.append(time.perf_counter() - start)
    print(describe("engine alone, in-process, re-parsing only the edited statement", incremental))

    without, findings = asyncio.run(edit_latencies(text, args.edits, args.pause, debounce_ms=0))
    print(describe("didChange -> publishDiagnostics, debounce 0 ms (excluding the debounce)", without))
    with_debounce, _ = asyncio.run(edit_latencies(text, args.edits, args.pause, debounce_ms=None))
    print(describe(f"didChange -> publishDiagnostics, default debounce {DEBOUNCE_S * 1000:.0f} ms (including it)",
                   with_debounce))
    print(f"({findings} findings published per version)")


if __name__ == "__main__":
    main()
