"""The probe's child draws Keras' initial weights from NumPy: the same script starts from the same weights on
TensorFlow, JAX and PyTorch (each installed backend is run in its own process, as the probe's child is)."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys

import numpy as np
import pytest

from clirun import REPO

BACKENDS = [name for name in ("tensorflow", "jax", "torch") if importlib.util.find_spec(name)]

BUILD = r"""
import json
import keras
from kerlint.probe.initial_weights import draw_from_numpy

draw_from_numpy()
keras.utils.set_random_seed(0)
inputs = keras.Input((6, 6, 3))
x = keras.layers.Conv2D(4, 3, padding="same", activation="relu")(inputs)
x = keras.layers.Flatten()(x)
x = keras.layers.Dense(8, kernel_initializer="he_normal")(x)
x = keras.layers.Dense(8, kernel_initializer=keras.initializers.TruncatedNormal(stddev=0.5, seed=3))(x)
x = keras.layers.Dense(8, kernel_initializer="orthogonal")(x)
x = keras.layers.Dense(2, kernel_initializer=keras.initializers.RandomNormal(seed=keras.random.SeedGenerator(7)))(x)
model = keras.Model(inputs, x)
print(json.dumps([w.tolist() for w in model.get_weights()]))
"""


def _weights(backend: str) -> list[np.ndarray]:
    environment = {**os.environ, "KERAS_BACKEND": backend, "PYTHONPATH": str(REPO), "TF_CPP_MIN_LOG_LEVEL": "3"}
    done = subprocess.run([sys.executable, "-c", BUILD], capture_output=True, text=True, env=environment, cwd=REPO, timeout=180)
    assert done.returncode == 0, done.stderr[-3000:]
    return [np.asarray(w) for w in json.loads(done.stdout.strip().splitlines()[-1])]


@pytest.mark.skipif(len(BACKENDS) < 2 or importlib.util.find_spec("keras") is None,
                    reason="needs Keras and two of tensorflow, jax, torch")
def test_every_backend_starts_from_the_same_weights():
    weights = {backend: _weights(backend) for backend in BACKENDS}
    first, *others = BACKENDS
    for backend in others:
        assert len(weights[backend]) == len(weights[first])
        for mine, theirs in zip(weights[backend], weights[first]):
            assert np.allclose(mine, theirs, atol=1e-6), (backend, first)
    kernel, he, truncated, orthogonal = (weights[first][i] for i in (0, 2, 4, 6))
    assert np.abs(kernel).max() <= np.sqrt(6 / (27 + 36)) and kernel.std() > 0  # glorot uniform: |w| <= its limit
    assert np.abs(truncated).max() <= 2 * 0.5  # truncated normal: within two standard deviations
    assert np.allclose(orthogonal.T @ orthogonal, np.eye(8), atol=1e-5)  # orthogonal
    assert he.std() == pytest.approx(np.sqrt(2 / 144), rel=0.35)  # he normal: std sqrt(2 / fan_in)
