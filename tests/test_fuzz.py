"""Fuzzing the static path (hypothesis): mangled fixtures, random bytes, deep nesting, huge literals.

Whatever the input, kerlint reports findings and never an internal error (KL004) or an exception, and
its JSON and SARIF stay valid (SARIF against the official 2.1.0 schema). Deep nesting goes through the
worker pool, as the CLI does on Linux: libcst's native parser overflows its stack (SIGSEGV) a few
thousand levels down, and the pool turns that into one KL004 "the parser crashed" on that file. A hang would stop the suite:
each example runs under a 60 s alarm, far above the milliseconds it takes, only so that a hang fails
with a message instead of blocking CI.
"""

from __future__ import annotations

import io
import json
import signal
import tempfile
import tokenize
from contextlib import contextmanager
from pathlib import Path

import jsonschema
import pytest

hypothesis = pytest.importorskip("hypothesis", reason="the fuzz tests need hypothesis (the dev extra)")
from hypothesis import HealthCheck, example, given, settings, strategies as st  # noqa: E402
from hypothesis.configuration import set_hypothesis_home_dir  # noqa: E402

from clirun import REPO  # noqa: E402
from kerlint.engine import INTERNAL_ERROR, LintSettings  # noqa: E402
from kerlint.reporters import Report, json_format, sarif  # noqa: E402
from kerlint.pool import can_isolate, lint_all  # noqa: E402
from kerlint.runner import Task, lint_task  # noqa: E402

SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-2.1.0.json").read_text(encoding="utf-8"))
SARIF = jsonschema.Draft4Validator(SCHEMA)
FIXTURES = sorted((REPO / "fixtures").rglob("*.py"))
SOURCES = [path.read_bytes() for path in FIXTURES]
SETTINGS = LintSettings.all_rules()
FUZZ = settings(database=None, deadline=None, derandomize=True,  # the same examples on every machine, no files
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
HANG_S = 60


@contextmanager
def no_hang():
    def fail(signum, frame):
        raise AssertionError(f"kerlint did not finish within {HANG_S} s: a hang")

    previous = signal.signal(signal.SIGALRM, fail)
    signal.alarm(HANG_S)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


set_hypothesis_home_dir(tempfile.mkdtemp(prefix="kerlint-hypothesis-"))  # its caches: never in the checkout
CONTAINED = ("the parser crashed on this file (signal SIGSEGV)", "analysis did not finish within")  # by the pool


def check(data: bytes, isolated: bool = False) -> list:
    """Lint `data` as a file (in a pool worker when `isolated`); assert no internal error other than a
    contained parser crash, and valid JSON and SARIF; the diagnostics."""
    task = Task("fuzzed.py", SETTINGS, data=data, keep_source=True)
    with no_hang():
        (result,) = list(lint_all([task], jobs=1)) if isolated else [lint_task(task)]
    assert result.diagnostics is not None
    internal = [d for d in result.diagnostics if d.code == INTERNAL_ERROR and not (isolated and d.message.startswith(CONTAINED))]
    assert not internal, (internal[0].message, data[:300])
    assert not any("kerlint failed" in d.message for d in result.diagnostics), result.diagnostics
    report = Report(result.diagnostics, 1, {"fuzzed.py": data})
    findings = json.loads(json_format.render(report))
    assert [f["code"] for f in findings] == [d.code for d in result.diagnostics]
    SARIF.validate(json.loads(sarif.render(report)))
    return result.diagnostics


def _tokens(source: bytes) -> list[str]:
    try:
        return [t.string for t in tokenize.tokenize(io.BytesIO(source).readline) if t.string and t.type != tokenize.ENCODING]
    except (tokenize.TokenError, SyntaxError, UnicodeDecodeError):
        return source.decode("utf-8", "replace").split()


TOKENS = [_tokens(source) for source in SOURCES]


@st.composite
def mangled_fixture(draw) -> bytes:
    """A fixture's tokens with some deleted, duplicated or swapped, rejoined with its whitespace lost or kept."""
    index = draw(st.integers(0, len(SOURCES) - 1))
    tokens = list(TOKENS[index])
    for _ in range(draw(st.integers(1, 6))):
        if not tokens:
            break
        at = draw(st.integers(0, len(tokens) - 1))
        operation = draw(st.sampled_from(["delete", "duplicate", "swap"]))
        if operation == "delete":
            del tokens[at]
        elif operation == "duplicate":
            tokens.insert(at, tokens[at])
        elif at + 1 < len(tokens):
            tokens[at], tokens[at + 1] = tokens[at + 1], tokens[at]
    try:
        return tokenize.untokenize(tokens).encode("utf-8")  # not round-trippable: spaced, still tokens
    except Exception:  # noqa: BLE001 - untokenize refuses some sequences: join them by hand
        return " ".join(tokens).encode("utf-8")


@st.composite
def cut_fixture(draw) -> bytes:
    """A fixture with lines deleted, or cut off in the middle of a line (a half-saved file)."""
    source = SOURCES[draw(st.integers(0, len(SOURCES) - 1))]
    lines = source.splitlines(keepends=True)
    if draw(st.booleans()) and lines:
        start = draw(st.integers(0, len(lines) - 1))
        stop = draw(st.integers(start, min(len(lines), start + 8)))
        return b"".join(lines[:start] + lines[stop:])
    return source[: draw(st.integers(0, len(source)))]


@settings(FUZZ, max_examples=150)
@given(mangled_fixture())
def test_mangled_fixtures(data):
    check(data)


@FUZZ
@given(cut_fixture())
def test_cut_fixtures(data):
    check(data)


@FUZZ
@given(st.binary(max_size=4096))
def test_random_bytes(data):
    diagnostics = check(data)
    assert all(d.code != "KL001" or d.span.line >= 1 for d in diagnostics)


@FUZZ
@given(st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=2000))
def test_random_text(text):
    check(text.encode("utf-8"))


NESTINGS = {
    "parens": ("x = ", "(", "1", ")"),
    "lists": ("x = ", "[", "1", "]"),
    "calls": ("x = ", "f(", "1", ")"),
    "unary": ("x = ", "-", "1", ""),
    "attributes": ("x = a", ".b", "", ""),
    "binary": ("x = 1", " + 1", "", ""),
    "lambdas": ("f = ", "lambda: ", "1", ""),
    "dict": ("x = ", "{1: ", "1", "}"),
    "subscripts": ("x = a", "[0]", "", ""),
    "keras calls": ("import keras\nm = ", "keras.layers.Dense(1)(", "x", ")"),
}


@pytest.mark.skipif(not can_isolate(), reason="deep nesting crashes libcst's parser; only Linux isolates it (fork)")
@settings(FUZZ, max_examples=25)
@given(st.sampled_from(sorted(NESTINGS)), st.integers(1, 1000))
@example("parens", 5000).via("libcst's parser overflows its stack")
@example("subscripts", 3000).via("slow enough to meet the pool's time limit on a loaded machine")
def test_deep_nesting(kind, depth):
    head, open_, middle, close = NESTINGS[kind]
    check((head + open_ * depth + middle + close * depth + "\n").encode(), isolated=True)


@settings(FUZZ, max_examples=30)
@given(st.integers(1, 60), st.integers(0, 40))
def test_deep_blocks(depth, width):
    """Nested if/def/class/with blocks, each indented one more level: Python's own parser stops at 100."""
    lines = []
    for level in range(depth):
        keyword = ["if x:", "def f():", "class C:", "with a as b:", "for i in y:"][level % 5]
        lines.append("    " * level + keyword)
    lines.append("    " * depth + "model.compile(loss='categorical_crossentropy', optimizer=" + "[" * width + "'sgd'" + "]" * width + ")")
    check(("\n".join(lines) + "\n").encode())


@settings(FUZZ, max_examples=30)
@given(st.sampled_from(["int", "str", "bytes", "list", "float", "concat", "fstring"]), st.integers(1, 400_000))
def test_huge_literals(kind, size):
    literal = {
        "int": "9" * min(size, 6000),  # beyond float range from 309 digits; Python refuses more than 4300
        "str": repr("a" * size),
        "bytes": "b" + repr("a" * size),
        "list": "[" + "1, " * (size // 10) + "]",
        "float": "1." + "5" * size + "e-10",
        "concat": " + ".join(["'a'"] * (size // 200 + 1)),
        "fstring": 'f"' + "{x}" * (size // 100 + 1) + '"',
    }[kind]
    check(f"import keras\nsmooth = {literal}\nmodel.compile(loss='mse', optimizer=keras.optimizers.SGD(learning_rate={literal}))\n".encode())


def test_every_fixture_is_checked_without_an_internal_error():
    for path, source in zip(FIXTURES, SOURCES):
        check(source)
