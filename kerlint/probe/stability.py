"""Edges of stability: how sharp the loss may be before an optimizer's steps stop converging.

Pure arithmetic (no NumPy or TensorFlow), so the formulas are checked without the keras extra.
"""

from __future__ import annotations


def edge(kind: str, lr: float, beta: float = 0.0) -> tuple[float, str]:
    """The edge of stability and its formula, for the quantity it bounds:

    - "sgd": plain gradient descent, sharpness λ < 2/lr;
    - "momentum": heavy-ball momentum β, λ < 2(1+β)/lr;
    - "nesterov": Nesterov momentum β, λ < 2(1+β)/((1+2β)·lr);
    - "adam": Adam-family, lr·λ_max(diag(1/(√v̂+ε))·H) < 2(1+β1)/(1-β1) (the preconditioned sharpness
      times lr; β = β1; the edge does not depend on lr, which is already inside the compared quantity).
    """
    if kind == "sgd":
        return 2 / lr, f"2/{_g(lr)}"
    if kind == "momentum":
        return 2 * (1 + beta) / lr, f"2(1+{_g(beta)})/{_g(lr)}"
    if kind == "nesterov":
        return 2 * (1 + beta) / ((1 + 2 * beta) * lr), f"2(1+{_g(beta)})/((1+2·{_g(beta)})·{_g(lr)})"
    if kind == "adam":
        return 2 * (1 + beta) / (1 - beta), f"2(1+{_g(beta)})/(1-{_g(beta)})"
    raise ValueError(kind)


def _g(value: float) -> str:
    return f"{value:.3g}"
