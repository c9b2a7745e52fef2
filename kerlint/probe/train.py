"""Child side: train a captured model for a short budget and record what happens at each step.

Per step: loss, global gradient norm, the layer with the largest gradient, the update/weight norm
ratio, whether loss or norm is NaN/Inf, and on the step's predictions: how
much they vary across samples, the fraction of saturated outputs, the fraction of samples whose
outputs sum to 0 (a categorical CE then divides 0 by 0). After the run: Adam's √v against its
epsilon, and (optionally) the sharpness with the learning rate's edge-of-stability margin.
"""

from __future__ import annotations

import math
import time
import warnings
from typing import Any

import numpy as np

SATURATION = 1e-6


def _observe(prediction: np.ndarray, activation: str | None) -> dict:
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return _observations(prediction, activation)


def _observations(prediction: np.ndarray, activation: str | None) -> dict:
    p = np.asarray(prediction, dtype="float64")
    if p.ndim == 1:
        p = p[:, None]
    flat = p.reshape(p.shape[0], -1)
    row = {"pred_min": float(np.nanmin(flat)) if flat.size else None, "pred_max": float(np.nanmax(flat)) if flat.size else None}
    if flat.shape[0] > 1:
        row["pred_spread"] = float(np.nanmax(np.nanstd(flat, axis=0)))
    if activation in ("sigmoid", "softmax", "hard_sigmoid"):
        row["saturated"] = float(np.mean((flat < SATURATION) | (flat > 1 - SATURATION)))
    elif activation == "tanh":
        row["saturated"] = float(np.mean(np.abs(flat) > 1 - SATURATION))
    row["zero_sum"] = float(np.mean(np.abs(p.sum(axis=-1)) == 0.0))
    row["zero_frac"] = float(np.mean(flat == 0.0))
    return row


def _finite(value: float) -> bool:
    return value is not None and math.isfinite(value)


def adam_moments(optimizer: Any) -> dict | None:
    velocities = getattr(optimizer, "_velocities", None)
    epsilon = getattr(optimizer, "epsilon", None)
    if not velocities or epsilon is None:
        return None
    roots = np.concatenate([np.sqrt(np.abs(np.asarray(v.numpy(), dtype="float64"))).ravel() for v in velocities])
    roots = roots[np.isfinite(roots)]
    if roots.size == 0:
        return None
    return {"epsilon": float(epsilon), "median_sqrt_v": float(np.median(roots)), "min_sqrt_v": float(roots.min()),
            "frac_sqrt_v_below_10eps": float(np.mean(roots < 10 * float(epsilon)))}


def edge_of_stability(optimizer: Any, sharpness: float | None) -> dict | None:
    """2/lr for gradient descent, 2(1+β)/lr with heavy-ball momentum, vs the measured sharpness."""
    if sharpness is None or not math.isfinite(sharpness) or sharpness <= 0:
        return None
    try:
        lr = float(np.asarray(optimizer.learning_rate))
    except Exception:  # noqa: BLE001 - a schedule or an odd optimizer
        return None
    name = type(optimizer).__name__
    if name != "SGD" or lr <= 0:
        return {"sharpness": sharpness, "optimizer": name, "note": "edge of stability computed for SGD only"}
    momentum = float(getattr(optimizer, "momentum", 0.0) or 0.0)
    edge = 2 * (1 + momentum) / lr
    return {"sharpness": sharpness, "edge": edge, "ratio": sharpness / edge, "lr": lr, "momentum": momentum}


def probe(model: Any, batches: list, steps: int, backend: Any, activation: str | None, deadline: float,
          with_sharpness: bool = False) -> dict:
    """Train `steps` steps cycling through `batches`; returns the per-step trajectory and summaries."""
    import keras

    keras.utils.set_random_seed(0)
    start = time.monotonic()
    stop = start + (deadline - time.time())  # deadline is wall-clock (time.time) from the parent
    trajectory = []
    sharpness = None
    if with_sharpness and batches:
        try:
            sharpness = backend.sharpness(model, *batches[0])
        except Exception:  # noqa: BLE001 - sharpness is extra evidence, never a failure
            sharpness = None
    for step in range(steps):
        if time.monotonic() > stop:
            break
        x, y = batches[step % len(batches)]
        loss, norm, prediction = backend.step(model, x, y)
        row = {"step": step, "loss": loss if _finite(loss) else repr(loss), "grad_norm": norm if _finite(norm) else repr(norm)}
        row.update(_observe(prediction, activation))
        row.update(getattr(backend, "last", {}) or {})
        trajectory.append(row)
        if len(trajectory) >= 3 and all(isinstance(r["loss"], str) for r in trajectory[-3:]):
            break  # three non-finite losses in a row: nothing more to learn
    return {
        "trajectory": trajectory,
        "seconds": round(time.monotonic() - start, 3),
        "device": backend.device(),
        "adam": adam_moments(model.optimizer),
        "stability": edge_of_stability(model.optimizer, sharpness),
    }
