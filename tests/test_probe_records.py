"""The probe boundary: the child's JSON becomes typed records in one place, malformed results are one
clear error, and a rule's own probe check (or its family's) is what judges its findings."""

from __future__ import annotations

import json
import math

import pytest

from kerlint.diagnostic import Diagnostic, Severity, Span
from kerlint.probe import verdicts
from kerlint.probe.attach import attach
from kerlint.probe.records import ModelEntry, ProbeDataError, ProbeRun, models_from_json
from kerlint.probe.runner import FileProbe
from kerlint.rule import Rule
from kerlint.settings import LintSettings
from kerlint.verdict import CONFIRMED, INCONCLUSIVE, NOT_REPRODUCED, Judgement, ProbeVerdict

ENTRY = {
    "class": "Sequential", "line": 4, "compile_line": 6,
    "outputs": [{"activation": "relu", "units": 3, "layer": "Dense(3, activation='relu')", "line": 5, "output_name": "d"}],
    "losses": [{"name": "categorical_crossentropy", "text": "'categorical_crossentropy'", "from_logits": None}],
    "optimizer": {"name": "SGD", "text": "SGD(learning_rate=0.01)", "params": {"learning_rate": 0.01, "nesterov": False},
                  "given": [], "line": 6, "schedule": False},
    "runs": [{"method": "fit", "line": 8, "epochs": 10, "steps_per_epoch": 20, "calls": 1}],
    "data": {"source": "captured", "inputs": {"min": 0.0, "max": 255.0, "mean": 120.0, "std": 60.0, "count": 10},
             "targets": {"min": 0.0, "max": 1.0, "mean": 0.3, "std": 0.4}},
    "findings": [{"code": "KL101", "line": 5, "col": 4, "message": "relu feeds CE", "fix": None,
                  "related": [{"line": 6, "message": "loss"}]}],
    "probe": {"trajectory": [{"step": 0, "loss": 2.0, "grad_norm": 1.0, "layer_norms": {"d": "inf"}, "top_layer": "d"},
                             {"step": 1, "loss": "nan", "grad_norm": "inf", "zero_sum": 0.5}],
              "seconds": 0.4, "device": "CPU", "adam": None, "stability": {"note": "not asked"}},
}
FAILED = {"step": 2, "error": "RuntimeError: all elements of target should be between 0 and 1"}  # the step that raised


def test_a_child_entry_reads_typed_and_writes_back_what_it_read():
    entry = ModelEntry.from_json({**ENTRY, "probe": {**ENTRY["probe"], "failed": FAILED}})
    assert entry.class_name == "Sequential" and entry.outputs[0].activation == "relu"
    assert entry.optimizer.params == {"learning_rate": 0.01, "nesterov": False}
    assert entry.inputs.max == 255.0 and entry.inputs.extra == {"count": 10}
    assert entry.steps_total == 200 and entry.lines == {4, 5, 6, 8}
    step = entry.probe.trajectory[1]
    assert math.isnan(step.loss) and step.grad_norm == math.inf and step.zero_sum == 0.5
    assert entry.findings[0].related == ((6, "loss"),)
    assert entry.probe.failed.step == 2 and entry.probe.failed.error.startswith("RuntimeError")
    written = json.dumps(entry.to_json(), sort_keys=True)
    again = ModelEntry.from_json(json.loads(written))
    assert json.dumps(again.to_json(), sort_keys=True) == written  # NaN != NaN, so compare what is written
    assert again.optimizer == entry.optimizer and again.findings == entry.findings
    assert again.to_json()["data"]["source"] == "captured" and again.to_json()["runs"][0]["calls"] == 1


@pytest.mark.parametrize("broken, where", [
    ({"probe": {"trajectory": [{"step": 0, "loss": "lots", "grad_norm": 1.0}]}}, "probe.trajectory[0].loss"),
    ({"probe": {"trajectory": [{"loss": 1.0, "grad_norm": 1.0}]}}, "probe.trajectory[0]: missing 'step'"),
    ({"outputs": "Dense"}, "outputs: expected list"),
    ({"optimizer": {"name": "SGD", "params": {"learning_rate": "fast"}}}, "optimizer.params.learning_rate"),
    ({"findings": [{"code": "KL101", "line": "5", "message": "m"}]}, "findings[0].line: expected int"),
    ({"data": {"targets": {"min": 0.0}}}, "data.targets: missing 'max'"),
    ({"probe": {"trajectory": [], "failed": {"step": 0}}}, "probe.failed: missing 'error'"),
])
def test_a_malformed_result_is_one_clear_error_naming_the_field(broken, where):
    with pytest.raises(ProbeDataError, match=None) as raised:
        ModelEntry.from_json({**ENTRY, **broken})
    assert where in str(raised.value)


def test_a_malformed_result_leaves_the_static_findings_with_an_inconclusive_verdict():
    static = [Diagnostic("KL101", "n", "activation-loss", Severity.ERROR, "m", "t.py", Span.point(5))]
    document = {"models": [{**ENTRY, "probe": {"trajectory": "oops"}}]}
    merged = attach(static, FileProbe("t.py", document), LintSettings(enabled=frozenset({"KL101"})))
    assert [d.code for d in merged] == ["KL101"]
    assert merged[0].probe.verdict == INCONCLUSIVE
    assert "malformed" in merged[0].probe.evidence and "probe.trajectory" in merged[0].probe.evidence
    with pytest.raises(ProbeDataError):
        models_from_json({"models": {"not": "a list"}})


def test_the_attached_verdict_is_typed_and_renders_its_json():
    static = [Diagnostic("KL101", "n", "activation-loss", Severity.ERROR, "m", "t.py", Span.point(5))]
    merged = attach(static, FileProbe("t.py", {"models": [ENTRY]}), LintSettings(enabled=frozenset({"KL101"})))
    probe = merged[0].probe
    assert isinstance(probe, ProbeVerdict)
    assert (probe.verdict, probe.evidence, probe.steps, probe.device) == (CONFIRMED, "loss NaN at step 1; 50% of samples' outputs summed to 0 at step 1", 2, "CPU")
    assert probe.to_json()["grad_norms"] == [1.0, None]
    assert probe.text() == "probe: confirmed — loss NaN at step 1; 50% of samples' outputs summed to 0 at step 1"


class _Custom(Rule):
    code, name, tag = "KL999", "custom", "training-config"  # a family no run speaks to...
    probed = True  # ...but this rule opts in with its own check

    def probe(self, evidence):
        return Judgement(CONFIRMED if evidence.broken else NOT_REPRODUCED, f"{len(evidence.rows)} steps seen")


class _FamilyDefault(Rule):
    code, name, tag = "KL998", "family-default", "loss-numerics"  # no probe method: the family's generic check


class _Silent(Rule):
    code, name, tag = "KL997", "silent", "api-compat"


def test_a_rule_owns_its_probe_check_or_takes_its_familys(monkeypatch):
    rules = {rule.code: rule for rule in (_Custom, _FamilyDefault, _Silent)}
    monkeypatch.setattr(verdicts, "rule_by_code", rules.get)
    entry = ModelEntry.from_json(ENTRY)
    assert verdicts.judge("KL999", entry, entry.probe) == Judgement(CONFIRMED, "2 steps seen")
    assert verdicts.judge("KL998", entry, entry.probe) == Judgement(CONFIRMED, "loss NaN at step 1")
    assert verdicts.judge("KL997", entry, entry.probe) is None and not verdicts.probed("KL997")
    assert verdicts.judge("KL999", entry, ProbeRun(error="training failed: shapes")).verdict == INCONCLUSIVE
