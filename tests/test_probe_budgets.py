"""The probe's budgets on any machine. The sharpness estimate's size is counted from the model's shapes,
never timed, so the same model and batch get the same estimate (or the same reason for none) on any
machine; the training's own time budget (train-seconds), the one limit a clock decides, says when it cut
a run short.

Runs in this process on the Keras backend the environment selects (TensorFlow by default); skipped
without Keras.
"""

from __future__ import annotations

import importlib.util
import time

import numpy as np
import pytest

from kerlint.probe import train
from kerlint.probe.backends import OutOfTime, power_iteration
from kerlint.probe.cost import multiply_adds_per_sample

needs_keras = pytest.mark.skipif(importlib.util.find_spec("keras") is None, reason="needs Keras and a backend: pip install 'kerlint[dev]'")


def _unet_like():
    import keras
    from keras import layers

    inputs = keras.Input((16, 16, 6))
    features = layers.Conv2D(8, 3, padding="same")(inputs)  # (3·3·6·8 + 8) weights × 16·16 positions
    pooled = layers.MaxPooling2D()(features)
    outputs = layers.Dense(5)(pooled)  # (8·5 + 5) weights × 8·8 positions
    return keras.Model(inputs, outputs)


@needs_keras
def test_multiply_adds_count_weights_times_output_positions():
    model = _unet_like()
    assert multiply_adds_per_sample(model, np.zeros((4, 16, 16, 6), "float32")) == 440 * 256 + 45 * 64


@needs_keras
def test_a_subclassed_model_counts_the_input_positions():
    import keras

    class Head(keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = keras.layers.Dense(3)

        def call(self, x):
            return self.dense(x)

    model = Head()
    x = np.zeros((2, 7, 4), "float32")
    model(x)
    assert multiply_adds_per_sample(model, x) == (4 * 3 + 3) * 7


def _compiled(model, optimizer="sgd"):
    model.compile(loss="mse", optimizer=optimizer)
    return model


def _batch(samples: int):
    rng = np.random.default_rng(0)
    return rng.normal(size=(samples, 16, 16, 6)).astype("float32"), rng.normal(size=(samples, 8, 8, 5)).astype("float32")


@needs_keras
def test_the_whole_batch_when_it_fits_the_budget():
    from kerlint.probe.backend_choice import for_keras

    model = _compiled(_unet_like())
    margin = train.stability(model, for_keras(), _batch(8), "start")
    per_sample = 10 * 4 * (440 * 256 + 45 * 64)
    assert margin["samples"] == 8 and margin["multiply_adds"] == 8 * per_sample
    assert margin["iterations"] == 10 and margin["kind"] == "sgd" and margin["sharpness"] > 0


@needs_keras
def test_a_batch_over_the_budget_is_estimated_on_its_first_samples(monkeypatch):
    from kerlint.probe.backend_choice import for_keras

    per_sample = 10 * 4 * (440 * 256 + 45 * 64)
    monkeypatch.setattr(train, "SHARPNESS_MULTIPLY_ADDS", 3.5 * per_sample)
    model = _compiled(_unet_like())
    margin = train.stability(model, for_keras(), _batch(8), "start")
    assert margin["samples"] == 3 and margin["multiply_adds"] == 3 * per_sample and margin["sharpness"] > 0
    # the same estimate as on a batch of exactly those 3 samples
    x, y = _batch(8)
    alone = train.stability(model, for_keras(), (x[:3], y[:3]), "start")
    assert alone["samples"] == 3 and alone["sharpness"] == pytest.approx(margin["sharpness"], rel=1e-5)


@needs_keras
def test_a_model_too_large_for_one_sample_is_not_estimated_and_says_why():
    import keras
    from kerlint.probe.backend_choice import for_keras

    inputs = keras.Input((2048, 2048, 3))
    model = _compiled(keras.Model(inputs, keras.layers.Conv2D(64, 3, padding="same")(inputs)))
    per_sample = 10 * 4 * (3 * 3 * 3 * 64 + 64) * 2048 * 2048
    x = np.broadcast_to(np.float32(0), (2, 2048, 2048, 3))  # no memory: nothing is computed on it
    margin = train.stability(model, for_keras(), (x, x[..., :1]), "start")
    assert margin == {"note": f"sharpness not estimated: 10 Hessian-vector products on one sample need "
                              f"~{per_sample:.2g} multiply-adds, over the budget of 2e+10"}


def test_power_iteration_finds_the_largest_eigenvalue():
    matrix = np.diag([5.0, -2.0, 1.0])
    value = power_iteration([np.ones(3)], lambda probe: [matrix @ probe[0]], lambda vs: float(np.linalg.norm(vs[0])),
                            lambda a, b: float(a[0] @ b[0]), 60, None)
    assert value == pytest.approx(5.0, rel=1e-6)


def test_power_iteration_stops_at_the_probes_time_limit():
    with pytest.raises(OutOfTime):
        power_iteration([np.ones(3)], lambda probe: probe, lambda vs: 1.0, lambda a, b: 1.0, 10, None,
                        stop=time.monotonic() - 1)


GOOD = """\
import numpy as np
import keras

x = np.random.default_rng(0).normal(size=(64, 4)).astype("float32")
y = (x[:, :1] > 0).astype("float32") * 3
model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1, activation="sigmoid")])
model.compile(loss="binary_crossentropy", optimizer="adam")
model.fit(x, y, epochs=2)
"""


@needs_keras
def test_training_cut_short_by_the_clock_says_so(tmp_path):
    """train-seconds is the one limit that decides a result by the clock: a run it cuts short carries a note."""
    from kerlint.probe.options import ProbeOptions
    from kerlint.probe.runner import probe_files

    (tmp_path / "good.py").write_text(GOOD)
    (probe,) = probe_files([(tmp_path / "good.py", "good.py", {"KL201"})], ProbeOptions(timeout_s=120, train_seconds=0.0))
    (model,) = probe.models
    assert model["probe"]["stopped_by_time"] is True and model["probe"]["trajectory"] == []
    assert ("model compiled at line 7: training stopped by the clock (train-seconds = 0, or the file's time limit) "
            "after 0 of 120 steps: how many fit depends on the machine's speed") in probe.notes, probe.notes
