"""The pre-filter that skips analysing files with no Keras vocabulary never loses a finding."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import kerlint.engine
from kerlint.engine import LintSettings, lint_source
from kerlint.extract.relevance import may_hold_facts
from kerlint.registry import all_rules

EVERYTHING = LintSettings.all_rules()
IMPORT_LINE = re.compile(r"^\s*(?:import|from)\s.*$", re.MULTILINE)
SEEDS = Path(__file__).resolve().parent.parent / "fixtures" / "seeds"


def _variants():
    """Every rule example and seed, as written and as an import-less fragment (Stack Overflow style)."""
    sources = [(f"{rule.code}-{kind}-{index}", source) for rule in all_rules() for kind in ("invalid", "valid")
               for index, source in enumerate(getattr(rule, kind))]
    sources += [(path.stem, path.read_text(encoding="utf-8")) for path in sorted(SEEDS.glob("*.py"))]
    for name, source in sources:
        yield pytest.param(source, id=name)
        yield pytest.param(IMPORT_LINE.sub("pass", source), id=f"{name}-fragment")


@pytest.mark.parametrize("source", list(_variants()))
def test_the_filter_keeps_every_finding(source, monkeypatch):
    filtered = lint_source(source, "example.py", EVERYTHING)
    monkeypatch.setattr(kerlint.engine, "_needs_analysis", lambda source, settings: True)
    assert filtered == lint_source(source, "example.py", EVERYTHING)


def test_what_the_filter_lets_through():
    assert may_hold_facts("from tensorflow import keras\n")
    assert may_hold_facts("model.fit(x, y, nb_epoch=10)\n")  # a fragment: no imports, conventional names
    assert may_hold_facts("loss = K.log(1 - y_pred)\n")
    assert may_hold_facts("import numpy as np\ndef dice(a, b):\n    return np.sum(a * b) / np.sum(a + b)\n")
    assert may_hold_facts("def f(y_true, y_pred):\n    return y_true / y_pred\n")
    assert may_hold_facts("class Mine(Loss):\n    pass\n")
    assert not may_hold_facts("import os\n\ndef main(argv):\n    return os.path.join(*argv)\n")
    assert not may_hold_facts("import numpy as np\nx = np.log(np.ones(3)) / 2\n")


def test_a_file_without_keras_vocabulary_still_gets_the_engine_checks():
    assert [d.code for d in lint_source("import os\nx = (\n", "a.py", EVERYTHING)] == ["KL001"]
    assert [d.code for d in lint_source("import os  # noqa: KL101\n", "a.py", EVERYTHING)] == ["KL003"]
    assert lint_source("import os\nx = '\\d'\n", "a.py", EVERYTHING) == []  # and prints no SyntaxWarning
