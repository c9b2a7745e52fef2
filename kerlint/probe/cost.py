"""Child side: how much arithmetic one sample costs a model, counted from its shapes, never timed.

The sharpness estimate is sized from this count, so the same model and batch get the same estimate on
any machine, however fast or loaded it is.
"""

from __future__ import annotations

import math
from typing import Any


def multiply_adds_per_sample(model: Any, x: Any) -> int:
    """The forward pass's multiply-adds for one sample, estimated as: for each layer, its own trainable
    weights × the positions of its output (the cells of the dimensions between batch and channels: 256 for
    a 16×16 feature map, the length of a sequence, 1 for a Dense on a vector). A layer whose output shape
    is unknown (a subclassed model's, a layer called inside another) counts the positions of the batch's
    input instead. At least 1."""
    fallback = _positions(_first_array_shape(x)) or 1
    total = 0
    for layer in _layers(model):
        own = _own_weights(layer)
        if own:
            total += own * (_output_positions(layer) or fallback)
    if total == 0:  # no layer told us anything: every weight once per input position
        total = sum(_size(w) for w in getattr(model, "trainable_weights", [])) * fallback
    return max(int(total), 1)


def samples_of(batch: tuple) -> int | None:
    shape = _first_array_shape(batch[0])
    return int(shape[0]) if shape and shape[0] is not None else None


def first_samples(batch: tuple, count: int) -> tuple:
    """The batch cut to its first `count` samples (x and y, arrays or nested lists/dicts of arrays)."""
    import keras

    return tuple(None if part is None else keras.tree.map_structure(lambda array: array[:count], part) for part in batch)


def _layers(model: Any) -> list:
    try:
        return list(model._flatten_layers(include_self=False, recursive=True))
    except Exception:  # noqa: BLE001 - not a Keras 3 model: the fallback counts its weights
        return []


def _own_weights(layer: Any) -> int:
    """The trainable weights a layer holds itself (its sublayers' are counted with them)."""
    try:
        inner = {id(w) for sub in layer._flatten_layers(include_self=False, recursive=True) for w in sub.trainable_weights}
        return sum(_size(w) for w in layer.trainable_weights if id(w) not in inner)
    except Exception:  # noqa: BLE001
        return 0


def _output_positions(layer: Any) -> int | None:
    try:
        output = layer.output
    except Exception:  # noqa: BLE001 - never called symbolically
        return None
    shape = getattr(output, "shape", None)
    return _positions(shape) if shape is not None else None


def _positions(shape: Any) -> int | None:
    """The product of the dimensions between the batch and the last one; None when one is unknown."""
    if shape is None:
        return None
    inner = tuple(shape)[1:-1]
    if any(d is None for d in inner):
        return None
    return math.prod(int(d) for d in inner)


def _first_array_shape(x: Any) -> tuple | None:
    if x is None:
        return None
    if hasattr(x, "shape"):
        return tuple(x.shape)
    items = x.values() if isinstance(x, dict) else x if isinstance(x, (list, tuple)) else ()
    for item in items:
        shape = _first_array_shape(item)
        if shape is not None:
            return shape
    return None


def _size(weight: Any) -> int:
    return math.prod(int(d) for d in weight.shape)
