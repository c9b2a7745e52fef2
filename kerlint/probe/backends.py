"""Child side: one training step with the gradient norm, per Keras backend.

A backend computes the loss and the global gradient norm (before the optimizer's own clipping),
applies the update with the model's optimizer, and estimates the sharpness from Hessian-vector
products. TensorFlow is here; JAX and PyTorch live in backend_jax.py and backend_torch.py, imported
only when Keras runs on them. A backend with no gradient code raises `NotImplementedError`, which the
probe reports as "inconclusive".
"""

from __future__ import annotations

import time
from typing import Any


class Backend:
    name = "?"

    def device(self) -> str:
        raise NotImplementedError

    last: dict = {}  # after step(): extra per-step measurements (update/weight ratio, per-layer gradient norms)

    def step(self, model: Any, x: Any, y: Any) -> tuple[float, float, Any]:
        """Train one step: (loss, global gradient norm, predictions as NumPy)."""
        raise NotImplementedError(f"the probe has no gradient code for the {self.name} backend yet")

    def sharpness(self, model: Any, x: Any, y: Any, iterations: int = 10, scale: list | None = None,
                  stop: float | None = None) -> float | None:
        """The largest eigenvalue of the loss's Hessian H on one batch (power iteration), or None; with
        `scale` (one array per trainable variable, s = d^½) that of diag(d)·H, through S·H·S (same spectrum).
        Raises OutOfTime when `stop` (a time.monotonic() value: the probe's own time limit) passes first."""
        return None


class OutOfTime(Exception):
    """The probe's time limit for the file came before the power iteration's end. Only a safety net: the
    estimate's size is set beforehand from the model's arithmetic (cost.py), not from a clock."""


def power_iteration(vector: list, hvp: Any, norm: Any, dot: Any, iterations: int, scale: list | None,
                    stop: float | None = None) -> float | None:
    """The power iteration every backend runs: `hvp(probe)` gives H·probe (None: the loss does not depend
    on the weights twice over, so 0), `norm(vector)` the global norm as a float, `dot(a, b)` Σ a·b as a
    float. With `scale` it iterates on S·H·S. None when the vector's norm is 0 or not finite."""
    value = None
    for _ in range(iterations):
        if stop is not None and time.monotonic() > stop:
            raise OutOfTime
        size = norm(vector)
        if not size > 0 or size == float("inf"):
            return None
        vector = [v / size for v in vector]
        probe = [v * s for v, s in zip(vector, scale)] if scale is not None else vector
        hv = hvp(probe)
        if hv is None:
            return 0.0
        if scale is not None:
            hv = [h * s for h, s in zip(hv, scale)]
        value = dot(hv, vector)
        vector = hv
    return value


class TensorFlowBackend(Backend):
    name = "tensorflow"

    def __init__(self) -> None:
        import tensorflow as tf

        self.tf = tf
        self._steps: dict[int, Any] = {}
        self._layers: dict[int, list[str]] = {}
        self.last: dict = {}

    def device(self) -> str:
        gpus = self.tf.config.list_physical_devices("GPU")
        return f"GPU ({gpus[0].name})" if gpus else "CPU"

    def _loss(self, model: Any, x: Any, y: Any, training: bool = True) -> Any:
        y_pred = model(x, training=training)
        return model.compute_loss(x=x, y=y, y_pred=y_pred, training=training), y_pred

    def step(self, model: Any, x: Any, y: Any) -> tuple[float, float, Any]:
        compiled = self._steps.get(id(model))
        if compiled is None:
            compiled = self._steps[id(model)] = self._compile(model)
        loss, norm, y_pred, layer_norms, ratio = compiled(x, y)
        first = y_pred[0] if isinstance(y_pred, (list, tuple)) else (next(iter(y_pred.values())) if isinstance(y_pred, dict) else y_pred)
        self.last = {"update_ratio": float(ratio), **per_layer(self._layers[id(model)], layer_norms.numpy())}
        return float(loss), float(norm), first.numpy()

    def _compile(self, model: Any):
        """One traced graph per model (as fit() does): eager steps cost several times more."""
        tf = self.tf
        optimizer = model.optimizer
        if not getattr(optimizer, "built", True):
            optimizer.build(model.trainable_variables)

        layers, groups = layer_groups(model.trainable_variables)
        self._layers[id(model)] = layers

        def train_step(x, y):
            variables = model.trainable_variables
            with tf.GradientTape() as tape:
                loss, y_pred = self._loss(model, x, y)
            grads = tape.gradient(loss, variables)
            pairs = [(g, v) for g, v in zip(grads, variables) if g is not None]
            norm = tf.linalg.global_norm([g for g, _ in pairs]) if pairs else tf.constant(0.0)
            # one norm per trainable layer (its variables together), as one vector: a single transfer per step
            per = [[grads[i] for i in group if grads[i] is not None] for group in groups]
            layer_norms = tf.stack([tf.linalg.global_norm(g) if g else tf.constant(0.0) for g in per]) if per else tf.zeros([0])
            before = [tf.identity(v) for v in variables]
            if pairs:
                optimizer.apply_gradients(pairs)
            change = tf.linalg.global_norm([v - b for v, b in zip(variables, before)]) if variables else tf.constant(0.0)
            size = tf.linalg.global_norm(before) if variables else tf.constant(1.0)
            return loss, norm, y_pred, layer_norms, change / tf.maximum(size, 1e-12)

        return tf.function(train_step, reduce_retracing=True)

    def sharpness(self, model: Any, x: Any, y: Any, iterations: int = 10, scale: list | None = None,
                  stop: float | None = None) -> float | None:
        """Power iteration on Hessian-vector products (double GradientTape); with `scale`, on S·H·S."""
        tf = self.tf
        variables = model.trainable_variables
        if not variables:
            return None
        if scale is not None:
            scale = [tf.constant(s, dtype=v.dtype) for s, v in zip(scale, variables)]
        vector = [tf.random.stateless_normal(v.shape, seed=(1, 2), dtype=v.dtype) for v in variables]

        def hvp(probe: list) -> list:
            with tf.GradientTape() as outer:
                with tf.GradientTape() as inner:
                    loss, _ = self._loss(model, x, y, training=False)
                grads = inner.gradient(loss, variables)
                grads = [g if g is not None else tf.zeros_like(v) for g, v in zip(grads, variables)]
                dot = tf.add_n([tf.reduce_sum(g * v) for g, v in zip(grads, probe)])
            hv = outer.gradient(dot, variables)
            return [h if h is not None else tf.zeros_like(v) for h, v in zip(hv, variables)]

        return power_iteration(
            vector, hvp, lambda vs: float(tf.linalg.global_norm(vs)),
            lambda a, b: float(tf.add_n([tf.reduce_sum(h * v) for h, v in zip(a, b)])), iterations, scale, stop)


def per_layer(layers: list[str], norms: Any) -> dict:
    """{"layer_norms": {layer: norm}, "top_layer", "top_layer_norm"} from the step's vector of layer norms."""
    values = {name: float(value) for name, value in zip(layers, norms)}
    if not values:
        return {}
    top = max(values, key=lambda key: values[key] if values[key] == values[key] else float("inf"))
    return {"layer_norms": values, "top_layer": top, "top_layer_norm": values[top]}


def layer_groups(variables: list) -> tuple[list[str], list[list[int]]]:
    """The trainable layers in model order, and for each the indices of its variables."""
    names = [_layer_of(v) for v in variables]
    layers = list(dict.fromkeys(names))
    return layers, [[i for i, n in enumerate(names) if n == layer] for layer in layers]


def _layer_of(variable: Any) -> str:
    """`sequential/dense_1/kernel` -> `dense_1` (the layer that owns the variable)."""
    parts = str(getattr(variable, "path", None) or variable.name).split("/")
    return parts[-2] if len(parts) > 1 else parts[0]


class Unsupported(Backend):
    """A backend Keras runs on but that has no training gradients here (numpy, openvino: inference only)."""

    def __init__(self, name: str) -> None:
        self.name = name
