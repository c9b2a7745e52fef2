"""The probe's gradient code on Keras' JAX backend.

One jitted step per model, as Keras' own JAX trainer does: `jax.value_and_grad` over the model's
stateless `compute_loss_and_updates`, the optimizer's `stateless_apply` (which clips as `fit()` would),
and the global and per-layer gradient norms taken before it. The new values are written back into the
model's variables after each step, so the optimizer's state (Adam's v) and the weights read after the
run are the trained ones. The sharpness uses forward-over-reverse Hessian-vector products
(`jax.jvp` of `jax.grad`), jitted once per model.
"""

from __future__ import annotations

from typing import Any

from kerlint.probe.backends import Backend, layer_groups, per_layer, power_iteration


class JaxBackend(Backend):
    name = "jax"

    def __init__(self) -> None:
        import jax
        import jax.numpy as jnp

        self.jax, self.jnp = jax, jnp
        self._steps: dict[int, Any] = {}
        self._layers: dict[int, list[str]] = {}
        self._hvps: dict[int, Any] = {}
        self.last: dict = {}

    def device(self) -> str:
        device = self.jax.devices()[0]
        return "CPU" if device.platform == "cpu" else f"{device.platform.upper()} ({device.device_kind})"

    @staticmethod
    def _values(variables: list) -> list:
        return [v.value for v in variables]

    def _global_norm(self, arrays: list) -> Any:
        jnp = self.jnp
        if not arrays:
            return jnp.float32(0.0)
        return jnp.sqrt(sum(jnp.sum(jnp.square(a.astype("float32"))) for a in arrays))

    def step(self, model: Any, x: Any, y: Any) -> tuple[float, float, Any]:
        import numpy as np

        optimizer = model.optimizer
        if not getattr(optimizer, "built", True):
            optimizer.build(model.trainable_variables)
        compiled = self._steps.get(id(model))
        if compiled is None:
            compiled = self._steps[id(model)] = self._compile(model)
        state = (self._values(model.trainable_variables), self._values(model.non_trainable_variables),
                 self._values(model.metrics_variables), self._values(optimizer.variables))
        loss, norm, y_pred, layer_norms, ratio, (trainable, non_trainable, optimizer_values) = compiled(*state, x, y)
        for variable, value in zip(model.trainable_variables, trainable):
            variable.assign(value)
        for variable, value in zip(model.non_trainable_variables, non_trainable):
            variable.assign(value)
        for variable, value in zip(optimizer.variables, optimizer_values):
            variable.assign(value)
        first = y_pred[0] if isinstance(y_pred, (list, tuple)) else (next(iter(y_pred.values())) if isinstance(y_pred, dict) else y_pred)
        self.last = {"update_ratio": float(ratio), **per_layer(self._layers[id(model)], np.asarray(layer_norms))}
        return float(loss), float(norm), np.asarray(first)

    def _compile(self, model: Any):
        jax, jnp = self.jax, self.jnp
        optimizer = model.optimizer
        layers, groups = layer_groups(model.trainable_variables)
        self._layers[id(model)] = layers
        value_and_grad = jax.value_and_grad(model.compute_loss_and_updates, has_aux=True)
        global_norm = self._global_norm

        def train_step(trainable, non_trainable, metrics, optimizer_values, x, y):
            (_scaled, (loss, y_pred, non_trainable, _metrics)), grads = value_and_grad(
                trainable, non_trainable, metrics, x, y, None, training=True, optimizer_variables=optimizer_values)
            norm = global_norm(grads)
            layer_norms = jnp.stack([global_norm([grads[i] for i in group]) for group in groups]) if groups else jnp.zeros([0])
            new_trainable, optimizer_values = optimizer.stateless_apply(optimizer_values, grads, trainable)
            change = global_norm([new - old for new, old in zip(new_trainable, trainable)])
            ratio = change / jnp.maximum(global_norm(trainable), 1e-12)
            return loss, norm, y_pred, layer_norms, ratio, (new_trainable, non_trainable, optimizer_values)

        return jax.jit(train_step)

    def sharpness(self, model: Any, x: Any, y: Any, iterations: int = 10, scale: list | None = None,
                  stop: float | None = None) -> float | None:
        """Power iteration on Hessian-vector products (jvp of grad); with `scale`, on S·H·S."""
        jax, jnp = self.jax, self.jnp
        variables = model.trainable_variables
        if not variables:
            return None
        hvp = self._hvps.get(id(model))
        if hvp is None:
            hvp = self._hvps[id(model)] = self._hvp(model)
        trainable = self._values(variables)
        rest = (self._values(model.non_trainable_variables), self._values(model.metrics_variables))
        scale = [jnp.asarray(s, dtype=v.dtype) for s, v in zip(scale, trainable)] if scale is not None else None
        keys = jax.random.split(jax.random.PRNGKey(12), len(trainable))
        vector = [jax.random.normal(key, v.shape, dtype=v.dtype) for key, v in zip(keys, trainable)]
        return power_iteration(
            vector, lambda probe: hvp(trainable, probe, *rest, x, y), lambda vs: float(self._global_norm(vs)),
            lambda a, b: float(sum(jnp.sum(h * v) for h, v in zip(a, b))), iterations, scale, stop)

    def _hvp(self, model: Any):
        jax = self.jax

        def loss(trainable, non_trainable, metrics, x, y):
            return model.compute_loss_and_updates(trainable, non_trainable, metrics, x, y, None, training=False)[0]

        def hvp(trainable, vector, non_trainable, metrics, x, y):
            gradient = jax.grad(lambda t: loss(t, non_trainable, metrics, x, y))
            return jax.jvp(gradient, (trainable,), (vector,))[1]

        return jax.jit(hvp)
