"""The probe's parent side, without TensorFlow: verdicts, sparkline, merging, config, CLI flags."""

from __future__ import annotations

import math

import pytest

from kerlint.config import ConfigError, load_config
from kerlint.diagnostic import Diagnostic, Severity, Span
from kerlint.engine import LintSettings
from kerlint.probe.attach import attach
from kerlint.probe.report import json_probe, sparkline
from kerlint.probe.runner import FileProbe, builds_model
from kerlint.probe.session import options_from
from kerlint.probe.verdicts import CONFIRMED, INCONCLUSIVE, NOT_REPRODUCED, verdict


def trajectory(losses, norms=None):
    norms = norms or [1.0] * len(losses)
    return {"trajectory": [{"step": i, "loss": l, "grad_norm": n} for i, (l, n) in enumerate(zip(losses, norms))],
            "seconds": 1.0, "device": "CPU"}


def model(targets=None, loss="binary_crossentropy", activation="sigmoid", runs=()):
    return {"losses": [{"name": loss}], "outputs": [{"activation": activation, "units": 1}],
            "data": {"targets": targets, "inputs": None}, "runs": list(runs)}


def test_nan_loss_confirms_kl101_with_the_step():
    found = verdict("KL101", model(loss="categorical_crossentropy", activation="relu"), trajectory([2.0, 1.5, "nan", "nan"]))
    assert found == {"verdict": CONFIRMED, "evidence": "loss NaN at step 2"}


def test_finite_run_does_not_reproduce_kl101():
    found = verdict("KL101", model(loss="categorical_crossentropy", activation="relu"), trajectory([2.0, 1.5, 1.2]))
    assert found["verdict"] == NOT_REPRODUCED
    assert "3 steps: loss 2 -> 1.2" in found["evidence"]


def test_targets_outside_the_loss_domain_with_negative_loss():
    targets = {"min": -1.3, "max": 2.9, "mean": 0.0, "std": 1.0}
    found = verdict("KL201", model(targets), trajectory([0.5, 0.1, -2.6, -2.0]))
    assert found["verdict"] == CONFIRMED
    assert found["evidence"] == "binary CE -2.6 < 0 (first negative at step 2): targets span [-1.3, 2.9], outside [0, 1]"


def test_targets_inside_the_domain_are_not_reproduced():
    found = verdict("KL201", model({"min": 0.0, "max": 1.0, "mean": 0.3, "std": 0.4}), trajectory([0.7, 0.6]))
    assert found["verdict"] == NOT_REPRODUCED
    assert found["evidence"].startswith("targets span [0, 1], inside [0, 1]")


def test_adam_epsilon_is_inconclusive_and_says_why():
    runs = [{"epochs": 4680, "steps_per_epoch": 8}]
    result = trajectory([0.7] * 60)
    result["adam"] = {"epsilon": 1e-7, "median_sqrt_v": 1e-3, "min_sqrt_v": 0.0, "frac_sqrt_v_below_10eps": 0.02}
    found = verdict("KL302", model(runs=runs), result, steps_total=37440)
    assert found["verdict"] == INCONCLUSIVE
    assert "60-step probe cannot show a blow-up the configuration predicts after 37,440 steps" in found["evidence"]
    assert "median √v = 0.001 vs epsilon 1e-07" in found["evidence"]


def test_gradient_growth_against_the_early_median():
    norms = [0.5] * 5 + [0.5 * 1.2**k for k in range(40)]
    found = verdict("KL303", model(), trajectory([1.0] * len(norms), norms))
    assert found["verdict"] == CONFIRMED
    assert found["evidence"].startswith("gradient norm grew 1225x in 44 steps (median 0.5 over steps 0-4")


def test_spike_then_collapse_confirms_unclipped_sgd():
    norms = [1.0] * 30 + [50.0] + [1e-4] * 29
    losses = [0.8] * 30 + [0.7] + [0.9] * 29
    found = verdict("KL301", model(), trajectory(losses, norms))
    assert found["verdict"] == CONFIRMED
    assert "spiked to 50 at step 30, then collapsed 500000x" in found["evidence"]


def test_spike_then_collapse_to_exactly_zero_confirms_unclipped_sgd():
    """Measured on the U-Net fixture with oneDNN off and one thread: every sigmoid output saturates at 1, the
    gradient is exactly 0 from then on, and the per-batch loss keeps varying (not a flat plateau)."""
    norms = [0.3] * 44 + [12.9] + [0.1, 0.01, 1e-4, 5e-9, 7e-9] + [0.0] * 70
    losses = [0.8] * 38 + [0.709] + [0.8] * 6 + [0.85 + 0.05 * (-1) ** k for k in range(75)]
    found = verdict("KL301", model(), trajectory(losses, norms))
    assert found["verdict"] == CONFIRMED, found
    assert found["evidence"].startswith("gradient norm spiked to 12.9 at step 44, then collapsed to 0 while the loss stuck at")


def test_negative_loss_confirms_an_unnegated_log_likelihood():
    found = verdict("KL407", model(loss="custom"), trajectory([-0.2, -0.5, -0.9]))
    assert found["verdict"] == CONFIRMED
    assert found["evidence"].startswith("loss -0.9 < 0 (first negative at step 0)")


def test_codes_a_run_cannot_speak_to_get_no_verdict():
    assert verdict("KL601", model(), trajectory([1.0])) is None
    assert verdict("KL701", model(), trajectory([1.0])) is None


def test_a_failed_probe_is_inconclusive():
    found = verdict("KL101", model(), {"error": "training failed: ValueError: shapes"})
    assert found == {"verdict": INCONCLUSIVE, "evidence": "not probed: training failed: ValueError: shapes"}


def test_a_step_that_raises_can_confirm_but_never_clear_a_finding():
    """PyTorch's binary CE refuses targets outside [0, 1] at the first step: the targets themselves confirm
    KL201; a finding the steps before the failure do not confirm stays inconclusive, never "not reproduced"."""
    failed = {**trajectory([]), "failed": {"step": 0, "error": "RuntimeError: all elements of target should be between 0 and 1"}}
    found = verdict("KL201", model({"min": -0.34, "max": 2.96}), failed)
    assert found == {"verdict": CONFIRMED, "evidence": "targets span [-0.34, 2.96], outside [0, 1]; training failed at step 0: "
                                                       "RuntimeError: all elements of target should be between 0 and 1"}
    inside = verdict("KL201", model({"min": 0.0, "max": 1.0}), failed)
    assert inside == {"verdict": INCONCLUSIVE, "evidence": "training failed at step 0: RuntimeError: all elements of target "
                                                          "should be between 0 and 1"}
    late = {**trajectory([2.0, 1.5, 1.2]), "failed": {"step": 3, "error": "ValueError: shapes"}}
    assert verdict("KL101", model(loss="categorical_crossentropy", activation="relu"), late)["verdict"] == INCONCLUSIVE


def test_sparkline_log_scale_marks_nan():
    assert sparkline([1.0, 10.0, 100.0, math.nan]) == "▁▅█×"
    assert len(sparkline([float(i + 1) for i in range(500)])) == 40
    assert json_probe({"verdict": "confirmed", "evidence": "x", "grad_norms": [1.0, math.inf]})["grad_norms"] == [1.0, None]


def _diagnostic(code, line, path="t.py"):
    return Diagnostic(code=code, name="n", tag="t", severity=Severity.ERROR, message="m", path=path, span=Span.point(line))


def test_inspector_findings_merge_with_static_ones_and_verdicts_attach():
    probed = {
        "line": 10, "compile_line": 12, "outputs": [{"line": 9}], "runs": [{"line": 14}],
        "losses": [{"name": "categorical_crossentropy"}], "data": {},
        "findings": [
            {"code": "KL101", "line": 9, "col": 0, "message": "relu feeds CE", "related": []},
            {"code": "KL201", "line": 14, "col": 0, "message": "targets span [-1, 3]", "related": [{"line": 12, "message": "loss"}]},
        ],
        "probe": trajectory([1.0, "nan", "nan"]),
    }
    static = [_diagnostic("KL101", 9), _diagnostic("KL601", 20)]
    settings = LintSettings(enabled=frozenset({"KL101", "KL201", "KL601"}))
    merged = attach(static, FileProbe("t.py", {"models": [probed]}), settings)
    assert [(d.code, d.span.line) for d in merged] == [("KL101", 9), ("KL201", 14), ("KL601", 20)]
    assert merged[0].extra["probe"]["verdict"] == CONFIRMED
    assert merged[0].extra["probe"]["evidence"] == "loss NaN at step 1"
    assert merged[1].message.endswith("(built model)")
    assert "probe" not in merged[2].extra


def test_file_that_could_not_build_keeps_static_findings_with_the_reason():
    static = [_diagnostic("KL101", 9)]
    probe = FileProbe("t.py", {"models": []}, notes=["the script failed at t.py:3: FileNotFoundError: data.npy"])
    merged = attach(static, probe, LintSettings(enabled=frozenset({"KL101"})))
    assert merged[0].extra["probe"]["verdict"] == INCONCLUSIVE
    assert "t.py:3: FileNotFoundError" in merged[0].extra["probe"]["evidence"]


def test_builds_model_filter():
    assert builds_model(b"import keras\nmodel.compile(loss='mse')\n")
    assert not builds_model(b"import numpy\nprint(1)\n")


def test_probe_config_table(tmp_path):
    (tmp_path / "kerlint.toml").write_text("[probe]\ntimeout = 30\nmemory-mib = 2048\nsteps = 40\nall = true\n")
    config = load_config(tmp_path / "kerlint.toml")
    options = options_from(object(), config.probe)
    assert (options.timeout_s, options.memory_bytes, options.steps, options.all_models) == (30.0, 2 * 1024**3, 40, True)


@pytest.mark.parametrize("table, message", [
    ("[probe]\ntimeot = 3\n", "unknown key"),
    ("[probe]\nsteps = 0\n", "expected a positive whole number"),
    ("[probe]\nall = 1\n", "expected true or false"),
])
def test_bad_probe_config(tmp_path, table, message):
    (tmp_path / "kerlint.toml").write_text(table)
    with pytest.raises(ConfigError, match=message):
        load_config(tmp_path / "kerlint.toml")


def test_probe_flags_parse():
    from kerlint.cli import build_parser

    args = build_parser().parse_args(["check", "--probe", "a.py", "--probe-report", "out", "--model", "m:f"])
    assert args.probe and args.paths == ["a.py"] and args.probe_report == "out" and args.model == "m:f"
    args = build_parser().parse_args(["check", "--probe-all", "a.py"])
    assert args.probe_all


def test_concise_and_full_render_the_verdict_and_sparkline():
    from kerlint.reporters import Report, concise, full

    diagnostic = _diagnostic("KL101", 3)
    diagnostic.extra["probe"] = {"verdict": "confirmed", "evidence": "loss NaN at step 2", "steps": 3, "seconds": 0.5,
                                 "device": "CPU", "grad_norms": [1.0, 10.0, math.nan]}
    report = Report([diagnostic], 1)
    assert concise.render(report).splitlines()[0] == "t.py:3:1: KL101 m [probe: confirmed — loss NaN at step 2]"
    text = full.render(report)
    assert "  = probe: confirmed — loss NaN at step 2 (3 steps, 0.5 s on CPU)" in text
    assert "  = gradient norm: ▁█×" in text


@pytest.mark.parametrize("name", ["numpy", "openvino"])
def test_inference_only_backends_say_they_have_no_gradient_code(name):
    from kerlint.probe.backends import Unsupported

    backend = Unsupported(name)
    with pytest.raises(NotImplementedError, match=f"no gradient code for the {name} backend"):
        backend.step(None, None, None)
    assert backend.sharpness(None, None, None) is None


def test_probe_without_keras_keeps_the_static_findings(monkeypatch, capsys):
    import importlib.util
    from types import SimpleNamespace

    from kerlint.probe import session

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "keras" else real(name, *a))
    static = [_diagnostic("KL101", 9)]
    project = SimpleNamespace(config=SimpleNamespace(probe={}))
    assert session.run(SimpleNamespace(), project, [], str, static) == static
    assert "--probe needs Keras" in capsys.readouterr().err


def test_edge_of_stability_formulas():
    from kerlint.probe.stability import edge

    assert edge("sgd", 0.01) == (pytest.approx(200.0), "2/0.01")
    assert edge("momentum", 0.01, 0.9) == (pytest.approx(380.0), "2(1+0.9)/0.01")
    value, formula = edge("nesterov", 0.01, 0.9)
    assert value == pytest.approx(2 * 1.9 / (2.8 * 0.01)) and formula == "2(1+0.9)/((1+2·0.9)·0.01)"
    assert edge("adam", 1e-3, 0.9) == (pytest.approx(38.0), "2(1+0.9)/(1-0.9)")  # bounds lr·λmax(P⁻¹H), not λ
    assert edge("momentum", 0.1, 0.0)[0] == pytest.approx(edge("sgd", 0.1)[0])  # β = 0 is plain gradient descent


def test_stability_margin_in_the_optimizer_evidence():
    past = {"kind": "momentum", "lr": 0.01, "beta": 0.9, "sharpness": 1178.0, "compared": 1178.0, "edge": 380.0,
            "formula": "2(1+0.9)/0.01", "ratio": 1178.0 / 380.0, "when": "start"}
    result = trajectory([0.7] * 5)
    result["stability"] = past
    found = verdict("KL301", model(), result)
    assert found["verdict"] == NOT_REPRODUCED
    assert found["evidence"].endswith("; lr is 3.1x past the edge of stability (sharpness 1.18e+03 at the start, edge 2(1+0.9)/0.01 = 380)")
    result["stability"] = {"kind": "adam", "lr": 1e-3, "beta": 0.9, "sharpness": 15200.0, "compared": 15.2, "edge": 38.0,
                           "formula": "2(1+0.9)/(1-0.9)", "ratio": 0.4, "when": "end"}
    found = verdict("KL303", model(), result)
    assert found["evidence"].endswith("; lr is within the edge of stability (margin 0.4x: preconditioned sharpness "
                                      "lr·λmax(diag(1/(√v̂+ε))·H) = 15.2 after the run, Adam edge 2(1+0.9)/(1-0.9) = 38)")
    note = "sharpness not estimated: 10 Hessian-vector products on one sample need ~3e+11 multiply-adds, over the budget of 2e+10"
    result["stability"] = {"note": note}
    assert verdict("KL301", model(), result)["evidence"].endswith("; " + note)


def test_growth_names_the_layer_from_the_per_layer_norms():
    norms = [0.5] * 5 + [0.5 * 1.2**k for k in range(40)]
    result = trajectory([1.0] * len(norms), norms)
    for row, norm in zip(result["trajectory"], norms):
        row["layer_norms"] = {"dense": 0.1, "dense_1": (norm**2 - 0.01) ** 0.5}
        row["top_layer"] = "dense_1"
    found = verdict("KL303", model(), result)
    assert found["verdict"] == CONFIRMED
    assert found["evidence"].startswith("gradient norm grew 1225x in 44 steps (median 0.5 over steps 0-4 -> 612 at step 44), "
                                        "mostly in dense_1 (612 of 612, up 1250x)")


def test_per_layer_norms_from_the_step_vector():
    from kerlint.probe.backends import per_layer

    found = per_layer(["dense", "dense_1"], [0.5, math.nan])
    assert found["layer_norms"]["dense"] == 0.5 and math.isnan(found["layer_norms"]["dense_1"])
    assert found["top_layer"] == "dense_1"  # a NaN layer is the one to name
    assert per_layer([], []) == {}


def test_backend_choice_follows_keras_then_what_is_installed(tmp_path, monkeypatch):
    from kerlint.probe import backend_choice

    home = tmp_path / "kerashome"
    home.mkdir()
    monkeypatch.setattr(backend_choice, "installed", lambda name: name in {"jax", "torch"})
    assert backend_choice.keras_backend({"KERAS_HOME": str(home)}) == "jax"  # no TensorFlow: the first installed
    (home / "keras.json").write_text('{"backend": "torch", "floatx": "float32"}')
    assert backend_choice.keras_backend({"KERAS_HOME": str(home)}) == "torch"  # the user's keras.json
    assert backend_choice.keras_backend({"KERAS_HOME": str(home), "KERAS_BACKEND": "tensorflow"}) == "tensorflow"
    (home / "keras.json").write_text("not json")
    monkeypatch.setattr(backend_choice, "installed", lambda name: False)
    assert backend_choice.keras_backend({"KERAS_HOME": str(home)}) is None


def test_probe_with_keras_and_no_backend_says_so(monkeypatch, capsys):
    from types import SimpleNamespace

    from kerlint.probe import backend_choice, session

    monkeypatch.setattr(backend_choice, "installed", lambda name: name == "keras")
    monkeypatch.delenv("KERAS_BACKEND", raising=False)
    monkeypatch.setenv("KERAS_HOME", "/nonexistent")
    static = [_diagnostic("KL101", 9)]
    assert session.run(SimpleNamespace(), SimpleNamespace(config=SimpleNamespace(probe={})), [], str, static) == static
    err = capsys.readouterr().err
    assert "--probe needs a Keras backend, and none of tensorflow, jax, torch is installed" in err
    assert "kerlint[probe-jax]" in err and "only the static checks ran" in err


def test_the_json_probe_object_names_the_backend():
    probe = {"verdict": "confirmed", "evidence": "loss NaN at step 0", "steps": 1, "seconds": 0.5,
             "backend": "jax", "device": "CPU", "grad_norms": [math.nan]}
    assert json_probe(probe)["backend"] == "jax"
