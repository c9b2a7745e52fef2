"""Child side: what training was given -> a few NumPy (x, y) batches, and their value ranges.

Arrays are sliced into batches of the fit's batch size (32 by default) in a fixed shuffled order;
Python generators (and generator expressions over `zip` of flows), `tf.data` datasets and
`keras.utils.PyDataset` / `Sequence` are pulled for at most `limit` batches. When nothing usable was
captured, synthetic batches follow the model's input shapes and the loss's target domain.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

DEFAULT_BATCH = 32
MAX_DISTINCT = 10_000  # values counted for the distinct count


def _to_numpy(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _to_numpy(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_to_numpy(item) for item in value)
    if value is None:
        return None
    return np.asarray(value)


def _split(item: Any) -> tuple[Any, Any]:
    if isinstance(item, (tuple, list)) and len(item) in (2, 3):
        return _to_numpy(item[0]), _to_numpy(item[1])
    return _to_numpy(item), None


def _first(value: Any) -> Any:
    if isinstance(value, dict):
        return next(iter(value.values()), None)
    if isinstance(value, (list, tuple)):
        return value[0] if value else None
    return value


def _length(value: Any) -> int | None:
    first = _first(value)
    return len(first) if hasattr(first, "__len__") and not isinstance(first, (str, bytes)) else None


def _take(value: Any, index: np.ndarray) -> Any:
    if isinstance(value, dict):
        return {key: _take(item, index) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_take(item, index) for item in value)
    return np.asarray(value)[index]


def from_capture(x: Any, y: Any, batch_size: int | None, limit: int, seed: int = 0, generator_limit: int = 32,
                 validation_split: float = 0.0) -> list[tuple[Any, Any]]:
    """Up to `limit` batches of what fit() was given; [] when it can't be read. Arrays keep fit()'s
    validation_split out (the last fraction, as Keras does)."""
    if x is None:
        return []
    if isinstance(x, np.ndarray) or (hasattr(x, "shape") and hasattr(x, "dtype") and not hasattr(x, "take")) or (
        isinstance(x, (list, tuple, dict)) and _length(x) is not None
    ):
        x, y = _to_numpy(x), _to_numpy(y)
        count = _length(x)
        if count and 0 < validation_split < 1:
            keep = np.arange(int(count * (1 - validation_split)))
            x, y = _take(x, keep), (_take(y, keep) if y is not None else None)
        return _array_batches(x, y, batch_size or DEFAULT_BATCH, limit, seed)
    limit = min(limit, generator_limit)  # pulling from user code: a few batches, then cycle
    if hasattr(x, "as_numpy_iterator"):  # tf.data
        return [_split(item) for item in itertools.islice(x.as_numpy_iterator(), limit)]
    if hasattr(x, "__getitem__") and hasattr(x, "__len__"):  # PyDataset / Sequence
        return [_split(x[index]) for index in range(min(len(x), limit))]
    if hasattr(x, "__next__") or hasattr(x, "__iter__"):
        return [_split(item) for item in itertools.islice(iter(x), limit)]
    return []


def _array_batches(x: Any, y: Any, batch_size: int, limit: int, seed: int) -> list[tuple[Any, Any]]:
    """Batches in fit()'s order: reshuffled every epoch (fit's default shuffle=True), fixed seed."""
    count = _length(x)
    if not count:
        return []
    rng = np.random.default_rng(seed)
    batches: list[tuple[Any, Any]] = []
    while len(batches) < limit:
        order = rng.permutation(count)
        for start in range(0, count, batch_size):
            index = order[start : start + batch_size]
            batches.append((_take(x, index), _take(y, index) if y is not None else None))
            if len(batches) >= limit:
                break
    return batches


def synthetic(model: Any, loss_name: str | None, units: int | None, count: int, batch_size: int = 8, seed: int = 0):
    """Batches shaped like the model's inputs, targets in the loss's domain."""
    rng = np.random.default_rng(seed)
    shapes = [tuple(batch_size if d is None else d for d in tensor.shape) for tensor in model.inputs]
    out_shape = tuple(batch_size if d is None else d for d in model.outputs[0].shape)
    batches = []
    for _ in range(count):
        x = [rng.standard_normal(shape).astype("float32") for shape in shapes]
        if loss_name == "sparse_categorical_crossentropy":
            y = rng.integers(0, max(units or 2, 2), size=out_shape[:-1])
        elif loss_name in ("categorical_crossentropy", "categorical_focal_crossentropy"):
            y = np.eye(out_shape[-1], dtype="float32")[rng.integers(0, out_shape[-1], size=out_shape[:-1])]
        elif loss_name in ("binary_crossentropy", "binary_focal_crossentropy"):
            y = rng.integers(0, 2, size=out_shape).astype("float32")
        else:
            y = rng.standard_normal(out_shape).astype("float32")
        batches.append((x[0] if len(x) == 1 else x, y))
    return batches


def value_range(batches: list[tuple[Any, Any]], which: int) -> dict | None:
    """min / max / mean / std / distinct count over the batches' inputs (0) or targets (1)."""
    arrays = []
    for batch in batches:
        value = batch[which]
        arrays += _flat_arrays(value)
    arrays = [a for a in arrays if a.dtype.kind in "biuf"]
    if not arrays:
        return None
    flat = np.concatenate([a.ravel().astype("float64") for a in arrays])
    finite = flat[np.isfinite(flat)]
    if finite.size == 0:
        return None
    return {
        "min": float(finite.min()), "max": float(finite.max()), "mean": float(finite.mean()),
        "std": float(finite.std()), "distinct": int(np.unique(finite[:MAX_DISTINCT * 10]).size),
        "count": int(flat.size), "nonfinite": int(flat.size - finite.size),
    }


def _flat_arrays(value: Any) -> list[np.ndarray]:
    if value is None:
        return []
    if isinstance(value, dict):
        return [a for item in value.values() for a in _flat_arrays(item)]
    if isinstance(value, (list, tuple)):
        return [a for item in value for a in _flat_arrays(item)]
    return [np.asarray(value)]


def value_ranges_each(batches: list[tuple[Any, Any]], which: int) -> list[dict] | None:
    """Per input (or per output) ranges when the model has several; None for one."""
    if not batches:
        return None
    first = batches[0][which]
    if isinstance(first, dict):
        keys = list(first)
        split = [[({k: b[which][k]} if isinstance(b[which], dict) else None) for b in batches] for k in keys]
    elif isinstance(first, (list, tuple)) and len(first) > 1:
        keys = list(range(len(first)))
        split = [[b[which][k] for b in batches] for k in keys]
    else:
        return None
    ranges = []
    for key, values in zip(keys, split):
        found = value_range([(v, v) for v in values], 0)
        if found is not None:
            ranges.append({"name": str(key), **found})
    return ranges
