"""`--fix` on every fixture (seeds, modern, correct, bad input, notebooks): the result parses, no fix of the
kind applied is left, a second pass changes nothing, and a file with no fixable finding comes back
byte-identical."""

from __future__ import annotations

import ast
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from clirun import kerlint
from kerlint.engine import LintSettings, lint_bytes
from kerlint.fixing import fix_bytes
from kerlint.notebook import is_notebook
from kerlint.notebook_lint import lint_notebook

REPO = Path(__file__).resolve().parent.parent
FIXTURES = sorted(
    [*(REPO / "fixtures").rglob("*.py"), *(REPO / "tests" / "data" / "notebooks").glob("*.ipynb")]
)
FIXING = replace(LintSettings.all_rules(), fixes=True)


def _fixes(data: bytes, name: str, unsafe: bool):
    lint = lint_notebook if is_notebook(name) else lint_bytes
    return [d.autofix for d in lint(data, name, FIXING) if d.autofix and (unsafe or d.autofix.applicability == "safe")]


@pytest.mark.parametrize("unsafe", [False, True], ids=["safe", "unsafe"])
@pytest.mark.parametrize("path", FIXTURES, ids=lambda path: str(path.relative_to(REPO)))
def test_fix_leaves_nothing_fixable_and_is_idempotent(path, unsafe):
    data, name = path.read_bytes(), path.name
    fixed = fix_bytes(data, name, FIXING, unsafe, is_notebook(name))
    if not _fixes(data, name, unsafe):
        assert fixed.data == data and fixed.applied == 0  # nothing fixable: byte-identical
        return
    assert fixed.applied > 0 and fixed.data != data
    if not is_notebook(name):  # (a notebook's cells may hold IPython syntax; fixing.py checks them masked)
        ast.parse(fixed.data)
    assert _fixes(fixed.data, name, unsafe) == []
    again = fix_bytes(fixed.data, name, FIXING, unsafe, is_notebook(name))
    assert again.data == fixed.data and again.applied == 0


def test_fix_on_the_seed_fixtures_end_to_end(tmp_path):
    """Every seed and modern fixture, copied and fixed by the CLI: a --diff afterwards finds nothing to do."""
    for folder in ("seeds", "modern"):
        shutil.copytree(REPO / "fixtures" / folder, tmp_path / folder)
    fixed = kerlint("check", "--isolated", "--fix", ".", cwd=tmp_path)
    assert fixed.lines[-1].startswith("Applied ") and fixed.lines[-1] != "Applied 0 fixes."
    after = kerlint("check", "--isolated", "--diff", ".", cwd=tmp_path)
    assert after.out == "" and after.code == 0
    assert after.err.startswith("Would apply 0 fixes")


def test_the_readme_diff_of_the_relu_seed(tmp_path):
    shutil.copy(REPO / "fixtures" / "modern" / "modern_003_relu_categorical.py", tmp_path / "train.py")
    result = kerlint("check", "--isolated", "--diff", "--unsafe-fixes", "train.py", cwd=tmp_path)
    changed = [line for line in result.lines if line.startswith(("-", "+")) and not line.startswith(("---", "+++"))]
    assert changed == [
        '-    predictions = layers.Dense(numclasses, activation="relu")(x)',
        '+    predictions = layers.Dense(numclasses, activation="softmax")(x)',
        '-    callbacks_list = [keras.callbacks.EarlyStopping(monitor="val_acc", mode="max", patience=3, verbose=1)]',
        '+    callbacks_list = [keras.callbacks.EarlyStopping(monitor="val_accuracy", mode="max", patience=3, verbose=1)]',
    ]
    assert result.err == "Would apply 2 fixes.\n" and result.code == 1
