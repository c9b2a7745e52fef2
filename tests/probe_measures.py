"""What a probe run measured, read from its trajectory: the quantities the probe tests assert.

The evidence sentence is built from these numbers, but which sentence a run gets (a NaN, a spike then a
collapse, a flat plateau) and its digits depend on floating-point order (oneDNN, thread count, backend).
The tests assert the verdict and these quantities, with windows wide enough for any clean machine.
"""

from __future__ import annotations

import math
import statistics


def losses(result: dict) -> list[float]:
    return [float(row["loss"]) for row in result["trajectory"]]  # "nan" / "inf" / "-inf" parse


def norms(result: dict) -> list[float]:
    return [float(row["grad_norm"]) for row in result["trajectory"]]


def first_nonfinite_step(result: dict) -> int | None:
    """The first step whose loss or gradient norm is NaN or infinite."""
    for row, loss, norm in zip(result["trajectory"], losses(result), norms(result)):
        if not (math.isfinite(loss) and math.isfinite(norm)):
            return row["step"]
    return None


def first_negative_step(result: dict) -> int | None:
    for row, loss in zip(result["trajectory"], losses(result)):
        if loss < 0:
            return row["step"]
    return None


def target_harm_step(result: dict) -> int | None:
    """Where targets outside a loss's domain did harm: the first negative loss, or the step at which the
    backend refused them (PyTorch's binary CE raises on targets outside [0, 1])."""
    negative = first_negative_step(result)
    if negative is not None:
        return negative
    return result["failed"]["step"] if result.get("failed") else None


def finite_losses(result: dict) -> list[float]:
    return [loss for loss in losses(result) if math.isfinite(loss)]


def early_norm(result: dict, steps: int = 5) -> float:
    """The gradient norm's median over the first steps (the verdicts' baseline)."""
    return statistics.median(n for n in norms(result)[:steps] if math.isfinite(n))


def peak_growth(result: dict) -> float:
    """The largest finite gradient norm over the early median."""
    return max(n for n in norms(result) if math.isfinite(n)) / early_norm(result)


def blew_up(result: dict) -> bool:
    """The failure an unclipped step causes: the loss or gradient went non-finite, or the gradient norm spiked
    and then collapsed at least 100x while the loss ended above its best (weights thrown into saturation)."""
    if first_nonfinite_step(result) is not None:
        return True
    values, loss = norms(result), losses(result)
    peak_step = max(range(len(values) - 10), key=values.__getitem__)
    tail_norm = statistics.median(values[-10:])
    stuck = statistics.mean(loss[-10:]) > min(loss[: peak_step + 1])
    return stuck and (tail_norm == 0 or values[peak_step] / tail_norm >= 100)


def healthy(result: dict) -> bool:
    """Every loss and gradient norm finite and the loss ended below where it started."""
    return first_nonfinite_step(result) is None and losses(result)[-1] < losses(result)[0]
