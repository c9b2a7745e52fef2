"""Child side: train a captured model for a short budget and record what happens at each step.

Per step: loss, global gradient norm, each trainable layer's gradient norm (its variables together)
and the largest of them, the update/weight norm ratio, whether loss or norm is NaN/Inf, and on the step's predictions: how
much they vary across samples, the fraction of saturated outputs, the fraction of samples whose
outputs sum to 0 (a categorical CE then divides 0 by 0). After the run: Adam's √v against its
epsilon, and (by default for an optimizer finding) the sharpness with the learning rate's
edge-of-stability margin (see `edge`). A step that raises ends the run: its step and error are kept
(`failed`) with the steps before it, since a backend refusing the data is evidence too.
"""

from __future__ import annotations

import math
import time
import warnings
from typing import Any

import numpy as np

from kerlint.probe.cost import first_samples, multiply_adds_per_sample, samples_of
from kerlint.probe.stability import edge

SATURATION = 1e-6
MAX_ERROR = 300


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


ADAM_FAMILY = ("Adam", "AdamW", "Nadam")
SHARPNESS_ITERATIONS = 10
# The estimate's size is set from the model's arithmetic, never from a clock: the same model and batch
# get the same estimate on any machine. A Hessian-vector product costs about four forward passes
# (forward, backward, and the backward's own derivative); the iterations may spend 2e10 multiply-adds
# (~2 s on one laptop CPU core), on fewer samples of the batch when the whole batch would cost more.
HVP_FORWARD_PASSES = 4
SHARPNESS_MULTIPLY_ADDS = 2e10


def _lr(optimizer: Any) -> float | None:
    try:
        lr = float(np.asarray(optimizer.learning_rate))
    except Exception:  # noqa: BLE001 - a schedule or an odd optimizer
        return None
    return lr if math.isfinite(lr) and lr > 0 else None


def optimizer_kind(optimizer: Any) -> tuple[str, float] | None:
    """("sgd" | "momentum" | "nesterov" | "adam", β) for the optimizers with a known edge, else None."""
    name = type(optimizer).__name__
    if name == "SGD":
        momentum = float(getattr(optimizer, "momentum", 0.0) or 0.0)
        if momentum == 0:
            return "sgd", 0.0
        return ("nesterov" if getattr(optimizer, "nesterov", False) else "momentum"), momentum
    if name in ADAM_FAMILY:
        return "adam", float(getattr(optimizer, "beta_1", 0.9))
    return None


def _preconditioner(model: Any, optimizer: Any) -> list | None:
    """Per trainable variable: (1/(√v̂+ε))^½, v̂ = v/(1-β2^t) from the optimizer's state."""
    steps = int(np.asarray(optimizer.iterations))
    if steps <= 0 or not getattr(optimizer, "_velocities", None):
        return None
    correction = 1 - float(getattr(optimizer, "beta_2", 0.999)) ** steps
    epsilon = float(getattr(optimizer, "epsilon", 1e-7))
    out = []
    for index, variable in enumerate(model.trainable_variables):
        try:
            v = optimizer._velocities[optimizer._get_variable_index(variable)]
        except Exception:  # noqa: BLE001 - an older optimizer: same order as the variables
            v = optimizer._velocities[index]
        v_hat = np.abs(np.asarray(v.numpy(), dtype="float64")) / correction
        d = 1.0 / (np.sqrt(v_hat) + epsilon)
        if not np.all(np.isfinite(d)):
            return None
        out.append(np.sqrt(d).astype(np.asarray(variable.numpy()).dtype))
    return out


def stability(model: Any, backend: Any, batch: tuple, when: str, stop: float | None = None) -> dict | None:
    """The sharpness on `batch` against the optimizer's edge of stability (see `edge`). `when` is
    "start" (before training: SGD) or "end" (after the run: Adam, whose v̂ exists only then). `stop`
    (time.monotonic()) is the probe's time limit for the file, a safety net only."""
    from kerlint.probe.backends import OutOfTime

    optimizer = model.optimizer
    kind = optimizer_kind(optimizer)
    lr = _lr(optimizer)
    if kind is None or lr is None:
        return {"note": f"no edge of stability known for {type(optimizer).__name__}"
                + ("" if lr else " with a learning-rate schedule")}
    kind_, beta = kind
    if (kind_ == "adam") != (when == "end"):
        return None
    scale = None
    if kind_ == "adam":
        scale = _preconditioner(model, optimizer)
        if scale is None:
            return {"note": "no finite Adam second moment after the run: preconditioned sharpness not estimated"}
    size = sharpness_size(model, batch)
    if size["samples"] == 0:
        return {"note": f"sharpness not estimated: {SHARPNESS_ITERATIONS} Hessian-vector products on one sample "
                        f"need ~{size['per_sample']:.2g} multiply-adds, over the budget of {SHARPNESS_MULTIPLY_ADDS:.0e}"}
    if size["samples"] is not None and size["samples"] < (samples_of(batch) or 0):
        batch = first_samples(batch, size["samples"])
    start = time.monotonic()
    try:
        value = backend.sharpness(model, *batch, iterations=SHARPNESS_ITERATIONS, scale=scale, stop=stop)
    except OutOfTime:
        return {"note": "sharpness not estimated: the probe's time limit for the file came first"}
    seconds = round(time.monotonic() - start, 3)
    if value is None or not math.isfinite(value) or value <= 0:
        return {"note": f"sharpness estimate not usable ({value!r})", "seconds": seconds}
    limit, formula = edge(kind_, lr, beta)
    compared = lr * value if kind_ == "adam" else value
    return {"kind": kind_, "lr": lr, "beta": beta, "sharpness": value, "compared": compared, "edge": limit,
            "formula": formula, "ratio": compared / limit, "when": when, "iterations": SHARPNESS_ITERATIONS,
            "samples": size["samples"], "multiply_adds": size["samples"] and size["samples"] * size["per_sample"],
            "seconds": seconds, "momentum": beta if kind_ != "adam" else None}


def sharpness_size(model: Any, batch: tuple) -> dict:
    """{"samples": how many of the batch's samples the estimate uses (0: not even one fits the budget; None:
    all, the batch's size unknown), "per_sample": the estimate's multiply-adds for one sample}."""
    per_sample = SHARPNESS_ITERATIONS * HVP_FORWARD_PASSES * multiply_adds_per_sample(model, batch[0])
    fits = int(SHARPNESS_MULTIPLY_ADDS // per_sample)
    available = samples_of(batch)
    return {"samples": 0 if fits == 0 else None if available is None else min(fits, available), "per_sample": per_sample}


def probe(model: Any, batches: list, steps: int, backend: Any, activation: str | None, deadline: float,
          with_sharpness: bool = False, time_limit: float | None = None) -> dict:
    """Train `steps` steps cycling through `batches`; returns the per-step trajectory and summaries.
    `deadline` (time.time()) ends the training early; `time_limit` (time.time(), the file's own limit, later)
    is only a safety net for the sharpness estimate, whose size does not depend on time."""
    import keras

    keras.utils.set_random_seed(0)
    start = time.monotonic()
    stop = start + (deadline - time.time())  # deadline is wall-clock (time.time) from the parent
    limit = start + (time_limit - time.time()) if time_limit is not None else None
    trajectory = []
    clock_stopped = False
    # "start" sharpness (SGD) is measured on the initial weights, but after the run: its one-off cost
    # (tracing or compiling the Hessian-vector product) must not eat the training budget
    initial = model.get_weights() if with_sharpness and batches else None
    failed = None
    for step in range(steps):
        if time.monotonic() > stop:
            clock_stopped = True
            break
        x, y = batches[step % len(batches)]
        try:
            loss, norm, prediction = backend.step(model, x, y)
        except NotImplementedError:
            raise
        except Exception as error:  # noqa: BLE001 - e.g. PyTorch's BCE refuses targets outside [0, 1]: evidence too
            failed = {"step": step, "error": f"{type(error).__name__}: {str(error)[:MAX_ERROR]}"}
            break
        row = {"step": step, "loss": loss if _finite(loss) else repr(loss), "grad_norm": norm if _finite(norm) else repr(norm)}
        row.update(_observe(prediction, activation))
        extra = dict(getattr(backend, "last", {}) or {})
        if "layer_norms" in extra:
            extra["layer_norms"] = {k: v if _finite(v) else repr(v) for k, v in extra["layer_norms"].items()}
        row.update(extra)
        trajectory.append(row)
        if len(trajectory) >= 3 and all(isinstance(r["loss"], str) for r in trajectory[-3:]):
            break  # three non-finite losses in a row: nothing more to learn
    margin = None
    if initial is not None and failed is None:
        margin = (_at_start(model, backend, batches[0], initial, limit)
                  or _stability(model, backend, batches[0], "end", limit))
    result = {
        "trajectory": trajectory,
        "seconds": round(time.monotonic() - start, 3),  # the sharpness estimate included
        "backend": backend.name,
        "device": backend.device(),
        "adam": adam_moments(model.optimizer),
        "stability": margin,
        **({"failed": failed} if failed else {}),
    }
    if clock_stopped:  # the one result that depends on the machine's speed: say so
        result["stopped_by_time"] = True
    return result


def _at_start(model: Any, backend: Any, batch: tuple, initial: list, stop: float | None) -> dict | None:
    """The "start" margin on the weights the run began with; the trained weights are put back after."""
    trained = model.get_weights()
    model.set_weights(initial)
    try:
        return _stability(model, backend, batch, "start", stop)
    finally:
        model.set_weights(trained)


def _stability(model: Any, backend: Any, batch: tuple, when: str, stop: float | None) -> dict | None:
    try:
        return stability(model, backend, batch, when, stop)
    except Exception as error:  # noqa: BLE001 - sharpness is extra evidence, never a failure
        return {"note": f"sharpness not estimated: {type(error).__name__}: {str(error)[:200]}"}
