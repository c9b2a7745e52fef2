"""The seed programs, exactly as their users posted them, and as the accepted answers fixed them.

Each seed must be reported at the line its user would change, with a message naming the offending
values; each fixed version must no longer report the fault its answer named.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kerlint.engine import LintSettings, lint_bytes

SEEDS = Path(__file__).resolve().parent.parent / "fixtures" / "seeds"
SETTINGS = LintSettings.all_rules()


def findings(name: str):
    path = SEEDS / name
    return lint_bytes(path.read_bytes(), name, SETTINGS)


def codes_and_lines(name: str, minimum_severity: str = "warning") -> list[tuple[int, str]]:
    floor = {"info": 1, "warning": 2, "error": 3}[minimum_severity]
    return sorted((d.span.line, d.code) for d in findings(name) if d.severity >= floor)


def only(name: str, code: str):
    found = [d for d in findings(name) if d.code == code]
    assert len(found) == 1, found
    return found[0]


# --- seed 000/001: U-Net, jaccard loss, SGD(lr=0.01, momentum=0.9, nesterov=True) explodes --------

def test_seed_000_reports_unclipped_sgd_and_vanishing_smooth():
    assert codes_and_lines("seed_000_jaccard_sgd.py") == [(2, "KL406"), (8, "KL301")]
    sgd = only("seed_000_jaccard_sgd.py", "KL301")
    assert "SGD(lr=0.01, momentum=0.9, nesterov=True)" in sgd.message
    assert "effective 0.1" in sgd.message
    assert "clipnorm" in sgd.fix
    smooth = only("seed_000_jaccard_sgd.py", "KL406")
    assert "1e-12" in smooth.message


def test_seed_000_fixed_by_clipnorm_keeps_only_the_smoothing_warning():
    assert codes_and_lines("seed_000_jaccard_sgd_fixed.py") == [(2, "KL406")]


def test_seed_000_keras1_spellings_are_information():
    info = sorted((d.span.line, d.code) for d in findings("seed_000_jaccard_sgd.py") if d.severity.label == "info")
    assert (8, "KL701") in info  # lr=
    assert {code for _, code in info} == {"KL701", "KL705"}  # and K.sum / K.mean


# --- seed 002: Adam epsilon over a 4680-epoch run ------------------------------------------------

def test_seed_002_as_posted_is_a_syntax_error_at_the_placeholder():
    found = findings("seed_002_adam_epsilon_as_posted.py")
    assert [(d.span.line, d.code) for d in found] == [(22, "KL001")]
    assert "nothing else in this file was checked" in found[0].message


def test_seed_002_reports_adam_epsilon_at_the_optimizer():
    assert codes_and_lines("seed_002_adam_epsilon.py") == [(33, "KL302")]
    finding = only("seed_002_adam_epsilon.py", "KL302")
    assert "keras.optimizers.Adam(0.00001)" in finding.message
    assert "epsilon=1e-07" in finding.message and "4680-epoch" in finding.message
    assert finding.related and finding.related[0].span.line == 41  # the fit_generator call


def test_seed_002_fixed_by_larger_epsilon_is_clean():
    assert codes_and_lines("seed_002_adam_epsilon_fixed.py") == []


# --- seed 003: Dense(2, activation='relu') before categorical_crossentropy -----------------------

def test_seed_003_reports_relu_head_and_dead_early_stopping():
    assert codes_and_lines("seed_003_relu_categorical.py") == [(12, "KL101"), (20, "KL601")]
    relu = only("seed_003_relu_categorical.py", "KL101")
    assert relu.message.startswith("Dense(numclasses, activation='relu') feeds categorical_crossentropy")
    assert (relu.span.col, relu.span.end_col) == (36, 53)  # exactly activation='relu'
    assert [r.span.line for r in relu.related] == [17]  # the compile() loss
    monitor = only("seed_003_relu_categorical.py", "KL601")
    assert "'val_acc'" in monitor.message and "monitor='val_accuracy'" in monitor.message


def test_seed_003_fixed_by_softmax_no_longer_reports_the_activation():
    assert codes_and_lines("seed_003_relu_categorical_fixed.py") == [(20, "KL601")]


# --- seed 004: featurewise whitening applied to the masks ----------------------------------------

def test_seed_004_reports_the_mask_generator():
    assert codes_and_lines("seed_004_whitened_masks.py") == [(11, "KL201")]
    finding = only("seed_004_whitened_masks.py", "KL201")
    assert "featurewise_center=True, featurewise_std_normalization=True" in finding.message
    assert "zip(image_generator, mask_generator)" in finding.message
    assert "binary_crossentropy" in finding.message
    assert {r.span.line for r in finding.related} == {1, 2, 108}  # data_gen_args options, compile


def test_seed_004_fixed_masks_without_whitening_are_clean():
    assert codes_and_lines("seed_004_whitened_masks_fixed.py") == []


def test_seed_004_answer_modified_bce_has_unguarded_logs_and_is_not_negated():
    assert codes_and_lines("seed_004_answer_tanh_bce.py") == [(2, "KL401"), (2, "KL401"), (2, "KL407")]
    logs = sorted(d.message for d in findings("seed_004_answer_tanh_bce.py") if d.code == "KL401")
    assert "K.log(1+y_pred)" in logs[0] and "K.log(1-y_pred)" in logs[1]


@pytest.mark.parametrize("name", sorted(p.name for p in SEEDS.glob("*.py")))
def test_every_seed_fixture_is_checked_without_internal_errors(name):
    assert all(d.code != "KL004" for d in findings(name))
