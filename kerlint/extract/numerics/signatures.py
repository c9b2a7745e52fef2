"""Which parameters of a function are a loss's target and prediction, by their names and places."""

from __future__ import annotations

import libcst as cst

from kerlint.extract.numerics.syntax import Function
from kerlint.extract.numerics.vocabulary import PREDICTION_HINTS, TARGET_PARAMS


def positional_params(function: Function) -> list[cst.Param]:
    params = [*function.params.posonly_params, *function.params.params]
    if params and params[0].name.value in ("self", "cls"):
        params = params[1:]
    return params


def parameter_kind(name: str) -> str | None:
    lowered = name.lower()
    if lowered in TARGET_PARAMS:
        return "target"
    if lowered == "p" or any(hint in lowered for hint in PREDICTION_HINTS):
        return "prediction"
    return None


def pair_sources(function: Function) -> dict[str, str] | None:
    """{y_true: "target", y_pred: "prediction"} for a (y_true, y_pred)-style signature, else None."""
    params = positional_params(function)
    if len(params) < 2:
        return None
    first, second = params[0].name.value, params[1].name.value
    kinds = (parameter_kind(first), parameter_kind(second))
    if set(kinds) == {"target", "prediction"}:
        return {first: kinds[0], second: kinds[1]}
    return None


def default_sources(function: cst.FunctionDef) -> dict[str, str]:
    """A function compile() uses takes (y_true, y_pred) whatever it calls them."""
    pair = pair_sources(function)
    if pair:
        return pair
    params = positional_params(function)
    return {param.name.value: kind for param, kind in zip(params, ("target", "prediction"))}
