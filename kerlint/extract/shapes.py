"""What a model's layer path says about its size: the layer classes, the fan-in of the first weight
layer and the depth. Optimizer rules scale their thresholds with these."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from kerlint.extract import keras_api as api
from kerlint.extract.values import Call, Const, Evaluator, Seq, Value, number
from kerlint.facts import Model

if TYPE_CHECKING:
    from kerlint.extract.models import ModelBuilder

SKIPPED_AFTER_FIRST = frozenset({"Activation", "Dropout", *api.ACTIVATION_LAYERS})


def input_shape_of(layer: Value | None, ev: Evaluator) -> Value | None:
    """The input shape a layer declares: keras.Input(shape), InputLayer(input_shape), input_shape=, input_dim=."""
    if not isinstance(layer, Call):
        return None
    if layer.callee == "keras.Input":
        return layer.arg("shape", 0, ev)
    for keyword in ("input_shape", "batch_input_shape", "shape"):
        found = layer.arg(keyword, None, ev)
        if found is not None:
            shape = ev.unwrap(found)
            if keyword == "batch_input_shape" and isinstance(shape, Seq):
                return Seq(shape.items[1:], shape.node)
            return shape
    dim = layer.arg("input_dim", None, ev)
    return Seq([dim], None) if dim is not None else None


def _dims(shape: Value | None, ev: Evaluator) -> list[int] | None:
    shape = ev.unwrap(shape)
    if isinstance(shape, Const) and isinstance(shape.value, int):
        return [shape.value]
    if not isinstance(shape, Seq):
        return None
    dims = [number(ev.unwrap(item)) for item in shape.items]
    if not dims or any(d is None or d <= 0 or not float(d).is_integer() for d in dims):
        return None
    return [int(d) for d in dims]


def describe_path(model: Model, path: tuple[list[Call], Value | None], builder: "ModelBuilder") -> None:
    layers, shape = path
    ev = builder.ev
    kinds = [builder.layer_kind(layer) for layer in layers]
    if any(kind is None for kind in kinds):
        return
    model.layer_kinds = frozenset(kinds)  # type: ignore[arg-type]
    weights = [i for i, kind in enumerate(kinds) if kind in api.WEIGHT_LAYERS]
    model.depth = len(weights) or None
    if not weights:
        return
    first = weights[0]
    for kind in kinds[first + 1:]:
        if kind in SKIPPED_AFTER_FIRST:
            continue
        model.normalizes_first_layer = kind in api.NORMALIZATION_LAYERS
        break
    dims = _dims(shape, ev)
    if dims is None:
        return
    kind = kinds[first]
    if kind == "Dense":
        flattened = "Flatten" in kinds[:first]
        model.fan_in = math.prod(dims) if flattened or len(dims) == 1 else dims[-1]
    elif "Conv" in kind:
        kernel = layers[first].arg("kernel_size", 1, ev)
        sizes = _dims(kernel, ev)
        if sizes is not None:
            area = math.prod(sizes) if len(sizes) > 1 else sizes[0] ** max(len(dims) - 1, 1)
            model.fan_in = area * dims[-1]
