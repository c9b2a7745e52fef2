"""The probe's gradient code on Keras' PyTorch backend.

Eager, as Keras' own PyTorch trainer is: a forward pass, `model.compute_loss`, `torch.autograd.grad`
for the gradients (the global and per-layer norms are taken before the optimizer's clipping), then the
optimizer's `apply` under `torch.no_grad()`. The sharpness uses Hessian-vector products by double
backpropagation (`create_graph=True`). Keras puts the model on the GPU when PyTorch sees one.
"""

from __future__ import annotations

from typing import Any

from kerlint.probe.backends import Backend, layer_groups, per_layer, power_iteration


class TorchBackend(Backend):
    name = "torch"

    def __init__(self) -> None:
        import torch

        self.torch = torch
        self._layers: dict[int, tuple[list[str], list[list[int]]]] = {}
        self.last: dict = {}

    def device(self) -> str:
        if self.torch.cuda.is_available():
            return f"GPU ({self.torch.cuda.get_device_name(0)})"
        return "CPU"

    @staticmethod
    def _tensors(value: Any) -> Any:
        import keras

        return keras.tree.map_structure(lambda a: keras.ops.convert_to_tensor(a) if a is not None else None, value)

    def _loss(self, model: Any, x: Any, y: Any, training: bool) -> tuple[Any, Any]:
        x, y = self._tensors(x), self._tensors(y)
        y_pred = model(x, training=training)
        return model.compute_loss(x=x, y=y, y_pred=y_pred, training=training), y_pred

    def _norm(self, tensors: list) -> Any:
        torch = self.torch
        if not tensors:
            return torch.tensor(0.0)
        return torch.sqrt(sum(torch.sum(t.detach().float() ** 2) for t in tensors))

    def step(self, model: Any, x: Any, y: Any) -> tuple[float, float, Any]:
        torch = self.torch
        optimizer = model.optimizer
        variables = model.trainable_variables
        if not getattr(optimizer, "built", True):
            optimizer.build(variables)
        if id(model) not in self._layers:
            self._layers[id(model)] = layer_groups(variables)
        layers, groups = self._layers[id(model)]
        loss, y_pred = self._loss(model, x, y, training=True)
        parameters = [v.value for v in variables]
        grads = torch.autograd.grad(loss, parameters, allow_unused=True) if parameters else []
        grads = [g if g is not None else torch.zeros_like(p) for g, p in zip(grads, parameters)]
        norm = self._norm(grads)
        layer_norms = [float(self._norm([grads[i] for i in group])) for group in groups]
        before = [p.detach().clone() for p in parameters]
        if parameters:
            with torch.no_grad():
                optimizer.apply(grads, variables)
        change = self._norm([p.detach() - b for p, b in zip(parameters, before)])
        ratio = float(change) / max(float(self._norm(before)), 1e-12) if parameters else 0.0
        first = y_pred[0] if isinstance(y_pred, (list, tuple)) else (next(iter(y_pred.values())) if isinstance(y_pred, dict) else y_pred)
        self.last = {"update_ratio": ratio, **per_layer(layers, layer_norms)}
        return float(loss.detach()), float(norm), first.detach().cpu().numpy()

    def sharpness(self, model: Any, x: Any, y: Any, iterations: int = 10, scale: list | None = None,
                  stop: float | None = None) -> float | None:
        """Power iteration on Hessian-vector products (double backpropagation); with `scale`, on S·H·S."""
        torch = self.torch
        parameters = [v.value for v in model.trainable_variables]
        if not parameters:
            return None
        if scale is not None:
            scale = [torch.as_tensor(s, dtype=p.dtype, device=p.device) for s, p in zip(scale, parameters)]
        generator = torch.Generator().manual_seed(12)
        vector = [torch.randn(p.shape, generator=generator, dtype=p.dtype).to(p.device) for p in parameters]

        def hvp(probe: list) -> list | None:
            loss, _ = self._loss(model, x, y, training=False)
            grads = torch.autograd.grad(loss, parameters, create_graph=True, allow_unused=True)
            dot = sum(torch.sum(g * v) for g, v in zip(grads, probe) if g is not None)
            if not torch.is_tensor(dot) or not dot.requires_grad:
                return None
            hv = torch.autograd.grad(dot, parameters, allow_unused=True)
            return [h.detach() if h is not None else torch.zeros_like(p) for h, p in zip(hv, parameters)]

        return power_iteration(
            vector, hvp, lambda vs: float(self._norm(vs)),
            lambda a, b: float(sum(torch.sum(h * v) for h, v in zip(a, b))), iterations, scale, stop)
