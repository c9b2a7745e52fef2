"""The editor's incremental parse: after any edit, the same tree text and the same findings as a full parse."""

from __future__ import annotations

import ast
import random
from pathlib import Path

import libcst as cst
import pytest

from kerlint.engine import LintSettings, lint_source
from kerlint.incremental import IncrementalParser

EVERYTHING = LintSettings.all_rules()
SEEDS = [path for path in sorted((Path(__file__).resolve().parent.parent / "fixtures" / "seeds").glob("*.py"))
         if "as_posted" not in path.name and len(path.read_text(encoding="utf-8").splitlines()) >= 20]


def _edits(text: str, seed: int) -> list[str]:
    """Versions of `text` as typing produces them: digits changed, lines added, removed, commented out,
    split, broken and mended, the header and the end of the file touched."""
    rng = random.Random(seed)
    versions = []
    for _ in range(10):
        lines = text.splitlines(keepends=True)
        index = rng.randrange(len(lines))
        kind = rng.choice(["digit", "insert", "delete", "comment", "break", "indent", "top", "end"])
        if kind == "digit" and any(c.isdigit() for c in lines[index]):
            position = next(i for i, c in enumerate(lines[index]) if c.isdigit())
            lines[index] = lines[index][:position] + str(rng.randrange(10)) + lines[index][position + 1:]
        elif kind == "insert":
            indent = lines[index][: len(lines[index]) - len(lines[index].lstrip())]
            lines.insert(index, indent + rng.choice(["x = 1\n", "# a note\n", "\n", "model.fit(x, y, epochs=3)\n"]))
        elif kind == "delete" and len(lines) > 2:
            del lines[index]
        elif kind == "comment":
            lines[index] = "# " + lines[index]
        elif kind == "break":
            lines.insert(index, "x = (\n")
        elif kind == "indent":
            lines[index] = "  " + lines[index]
        elif kind == "top":
            lines.insert(0, "# -*- coding: utf-8 -*-\n")
        elif kind == "end":
            lines[-1] = lines[-1].rstrip("\n") if lines[-1].endswith("\n") else lines[-1] + "\nx = 2\n"
        version = "".join(lines)
        versions.append(version)
        try:
            ast.parse(version)
        except SyntaxError:
            versions.append(text)  # a syntax error while typing, then the text it was
        else:
            text = version
    return versions


def _full(text: str) -> tuple[str, list]:
    try:
        module = cst.parse_module(text)
    except cst.ParserSyntaxError:
        return "syntax error", lint_source(text, "doc.py", EVERYTHING)
    return module.code, lint_source(text, "doc.py", EVERYTHING)


@pytest.mark.parametrize("path", SEEDS, ids=[path.stem for path in SEEDS])
def test_every_version_parses_and_lints_as_a_whole_file_does(path):
    parser = IncrementalParser()
    reused = 0
    for text in [path.read_text(encoding="utf-8"), *_edits(path.read_text(encoding="utf-8"), seed=len(path.name))]:
        try:
            code = parser.parse(text).code
        except cst.ParserSyntaxError:
            code = "syntax error"
        reused += parser.reused_statements
        assert (code, lint_source(text, "doc.py", EVERYTHING, parser.parse)) == _full(text)
    assert reused > 0


def test_an_edit_reparses_only_the_statements_it_touched():
    text = "".join(f"def f{i}(y_true, y_pred):\n    return y_true / {i + 1}\n\n\n" for i in range(40))
    parser = IncrementalParser()
    first = parser.parse(text)
    edited = text.replace("y_true / 7\n", "y_true / 0\n")
    second = parser.parse(edited)
    assert second.code == edited and parser.reused_statements == 37
    assert second.body[0] is first.body[0] and second.body[-1] is first.body[-1]
    assert [d.span.line for d in lint_source(edited, "doc.py", EVERYTHING, parser.parse)] == \
        [d.span.line for d in lint_source(edited, "doc.py", EVERYTHING)]


def test_a_syntax_error_is_raised_as_by_a_full_parse_and_the_next_version_recovers():
    parser = IncrementalParser()
    parser.parse("a = 1\nb = 2\nc = 3\n")
    with pytest.raises(cst.ParserSyntaxError):
        parser.parse("a = 1\nb = (\nc = 3\n")
    assert parser.parse("a = 1\nb = 4\nc = 3\n").code == "a = 1\nb = 4\nc = 3\n"
