"""Child side: Keras' random initializers draw from NumPy, so a script starts from the same weights on
every backend.

Keras seeds each initializer with the same integer on every backend (from Python's `random`, which
`keras.utils.set_random_seed` seeds), but each backend turns that seed into numbers with its own
generator: the same script starts TensorFlow, JAX and PyTorch from different weights, and what 120 steps
show can hinge on that draw (a relu head with dead units, outputs saturated from the first step). The
probe compares backends, so here the draws of `keras.src.initializers` (glorot, he, lecun, random
normal/uniform, truncated normal, orthogonal) come from `numpy.random.default_rng(seed)`: the same
distributions and seeds, one generator. Weights a script loads or sets itself are untouched, and so is
every other random op (dropout, shuffling).
"""

from __future__ import annotations

from typing import Any

import numpy as np


class NumpyDraws:
    """Stands in for the `keras.src.random` module inside `keras.src.initializers.random_initializers`."""

    def __init__(self, real: Any) -> None:
        self._real = real

    def __getattr__(self, name: str) -> Any:  # SeedGenerator, make_default_seed, ...
        return getattr(self._real, name)

    def _generator(self, seed: Any) -> np.random.Generator | None:
        if isinstance(seed, int):
            return np.random.default_rng(seed & 0xFFFFFFFF)  # an int seed gives the same values at every call
        if isinstance(seed, self._real.SeedGenerator):
            return np.random.default_rng([int(v) & 0xFFFFFFFF for v in np.asarray(seed.next())])
        return None  # no seed: Keras' global generator, which is per backend anyway

    @staticmethod
    def _tensor(values: np.ndarray, dtype: Any) -> Any:
        from keras.src import backend

        return backend.convert_to_tensor(values.astype("float32"), dtype=backend.standardize_dtype(dtype))

    def normal(self, shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
        rng = self._generator(seed)
        if rng is None:
            return self._real.normal(shape, mean=mean, stddev=stddev, dtype=dtype, seed=seed)
        return self._tensor(rng.normal(mean, stddev, size=tuple(shape)), dtype)

    def uniform(self, shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
        rng = self._generator(seed)
        if rng is None:
            return self._real.uniform(shape, minval=minval, maxval=maxval, dtype=dtype, seed=seed)
        return self._tensor(rng.uniform(minval, maxval, size=tuple(shape)), dtype)

    def truncated_normal(self, shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
        """Normal values more than two standard deviations from the mean are drawn again, as in Keras."""
        rng = self._generator(seed)
        if rng is None:
            return self._real.truncated_normal(shape, mean=mean, stddev=stddev, dtype=dtype, seed=seed)
        values = rng.standard_normal(size=tuple(shape))
        outside = np.abs(values) > 2
        while outside.any():
            values[outside] = rng.standard_normal(size=int(outside.sum()))
            outside = np.abs(values) > 2
        return self._tensor(mean + stddev * values, dtype)


def draw_from_numpy() -> str | None:
    """Installs the NumPy draws; a note when this Keras has no such module (its own draws are kept)."""
    try:
        from keras.src.initializers import random_initializers

        real = random_initializers.random
    except (ImportError, AttributeError) as error:
        return f"initial weights drawn by the backend's own generator ({type(error).__name__}: {error})"
    if not isinstance(real, NumpyDraws):
        random_initializers.random = NumpyDraws(real)
    return None
