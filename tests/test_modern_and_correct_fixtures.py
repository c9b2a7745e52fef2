"""Keras 3 miniatures of each seed (and their fixes), and idiomatic correct code that must stay silent."""

from __future__ import annotations

from pathlib import Path

import pytest

from kerlint.engine import LintSettings, lint_bytes

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SETTINGS = LintSettings.all_rules()

MODERN = {
    "modern_000_sgd_unclipped.py": [(31, "KL406"), (51, "KL301")],
    "modern_000_sgd_unclipped_fixed.py": [(32, "KL406")],  # the answer added clipnorm only
    "modern_002_adam_epsilon.py": [(82, "KL302")],
    "modern_002_adam_epsilon_fixed.py": [],
    "modern_003_relu_categorical.py": [(56, "KL101"), (62, "KL601")],
    "modern_003_relu_categorical_fixed.py": [],
    "modern_003_relu_categorical_tf_keras.py": [(58, "KL101"), (64, "KL601")],
    "modern_004_answer_tanh_bce.py": [(39, "KL401"), (39, "KL401"), (39, "KL407")],
    "modern_004_answer_tanh_bce_fixed.py": [],
    "modern_004_standardized_masks.py": [(37, "KL201")],
    "modern_004_standardized_masks_fixed.py": [],
    "modern_004_whitened_masks.py": [(61, "KL201")],
    "modern_004_whitened_masks_fixed.py": [],
}


def lint(path: Path):
    return lint_bytes(path.read_bytes(), path.name, SETTINGS)


def test_every_modern_fixture_has_an_expectation():
    assert sorted(MODERN) == sorted(p.name for p in (FIXTURES / "modern").glob("*.py"))


@pytest.mark.parametrize("name", sorted(MODERN))
def test_modern_fixture(name):
    assert sorted((d.span.line, d.code) for d in lint(FIXTURES / "modern" / name)) == MODERN[name]


@pytest.mark.parametrize("path", sorted((FIXTURES / "correct").rglob("*.py")),
                         ids=lambda p: p.relative_to(FIXTURES / "correct").as_posix())
def test_correct_code_is_silent(path):
    assert [f"{d.span.line}: {d.code} {d.message}" for d in lint(path)] == []


def test_the_tf_keras_dialect_reports_like_standalone_keras():
    standalone = [(d.code, d.message) for d in lint(FIXTURES / "modern" / "modern_003_relu_categorical.py")]
    dialect = [(d.code, d.message) for d in lint(FIXTURES / "modern" / "modern_003_relu_categorical_tf_keras.py")]
    assert standalone == dialect
