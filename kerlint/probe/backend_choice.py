"""Parent side: which Keras backend the probe's child runs on, decided without importing any framework.

Keras picks its backend from `KERAS_BACKEND`, else from the `backend` key of `$KERAS_HOME/keras.json`
(default `~/.keras/keras.json`), else TensorFlow. The child runs with `KERAS_HOME` pointed at its
sandbox, so the parent reads the user's choice first and passes it on as `KERAS_BACKEND`. With no
choice made, the first installed of TensorFlow, JAX and PyTorch is used: a machine with JAX or PyTorch
and no TensorFlow probes on what it has.
"""

from __future__ import annotations

import importlib.util
import json
import os
from typing import TYPE_CHECKING, Mapping

if TYPE_CHECKING:
    from kerlint.probe.backends import Backend

TRAINABLE = ("tensorflow", "jax", "torch")  # the backends the probe has gradient code for, in Keras' order
INSTALL_HINT = ("pip install 'kerlint[probe]' next to an installed backend (tensorflow, jax or torch), or "
                "'kerlint[probe-tf-cpu]' / 'kerlint[probe-jax]' / 'kerlint[probe-torch]' for a CPU one")


def installed(name: str) -> bool:
    """Looks for the package without importing it."""
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def configured(environ: Mapping[str, str]) -> str | None:
    """The user's explicit choice: KERAS_BACKEND, else keras.json's `backend`."""
    if environ.get("KERAS_BACKEND"):
        return environ["KERAS_BACKEND"]
    home = environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    try:
        with open(os.path.join(home, "keras.json"), encoding="utf-8") as handle:
            backend = json.load(handle).get("backend")
    except (OSError, ValueError, AttributeError):
        return None
    return backend if isinstance(backend, str) and backend else None


def keras_backend(environ: Mapping[str, str]) -> str | None:
    """The backend for the child: the user's choice, else the first trainable one installed; None if none is."""
    chosen = configured(environ)
    if chosen:
        return chosen
    return next((name for name in TRAINABLE if installed(name)), None)


def for_keras() -> "Backend":
    """The gradient code for the backend Keras runs on (KERAS_BACKEND, set before Keras was imported)."""
    import keras

    name = keras.backend.backend()
    if name == "tensorflow":
        from kerlint.probe.backends import TensorFlowBackend

        return TensorFlowBackend()
    if name == "jax":
        from kerlint.probe.backend_jax import JaxBackend

        return JaxBackend()
    if name == "torch":
        from kerlint.probe.backend_torch import TorchBackend

        return TorchBackend()
    from kerlint.probe.backends import Unsupported

    return Unsupported(name)
