"""Interval arithmetic on the values a tensor expression can take, for the sign of a loss and the
bounds of an exp's argument."""

from __future__ import annotations

import math
from dataclasses import dataclass

from kerlint.extract.numerics.vocabulary import PASSTHROUGH, SAME_RANGE_REDUCTIONS, SUMS


@dataclass(frozen=True)
class Range:
    lo: float = -math.inf
    hi: float = math.inf
    has_log: bool = False  # contains a log-probability term

    def with_log(self, has_log: bool) -> Range:
        return Range(self.lo, self.hi, self.has_log or has_log)


TOP = Range()
UNIT = Range(0.0, 1.0)


def _times(x: float, y: float) -> float:
    return 0.0 if x == 0 or y == 0 else x * y  # 0 * inf is 0 here: a zero weight cancels any term


def multiply(a: Range, b: Range) -> Range:
    products = [_times(x, y) for x in (a.lo, a.hi) for y in (b.lo, b.hi)]
    return Range(min(products), max(products), a.has_log or b.has_log)


def divide(a: Range, b: Range) -> Range:
    if b.lo > 0:
        return multiply(a, Range(1 / b.hi if b.hi < math.inf else 0.0, 1 / b.lo)).with_log(b.has_log)
    return TOP.with_log(a.has_log or b.has_log)


def add(a: Range, b: Range) -> Range:
    return Range(a.lo + b.lo, a.hi + b.hi, a.has_log or b.has_log) if not _opposite_infinities(a.lo, b.lo) and not _opposite_infinities(a.hi, b.hi) else TOP


def subtract(a: Range, b: Range) -> Range:
    return add(a, negate(b))


def negate(a: Range) -> Range:
    return Range(-a.hi, -a.lo, a.has_log)


def _opposite_infinities(x: float, y: float) -> bool:
    return math.isinf(x) and math.isinf(y) and (x > 0) != (y > 0)


def union(a: Range, b: Range) -> Range:
    return Range(min(a.lo, b.lo), max(a.hi, b.hi), a.has_log or b.has_log)


def _sum(a: Range) -> Range:
    """The sum of one or more values in a: the sign survives, the size doesn't."""
    lo = a.lo if a.lo >= 0 else -math.inf
    hi = a.hi if a.hi <= 0 else math.inf
    return Range(lo, hi, a.has_log)


def power(base: Range, exponent: float | None) -> Range:
    if exponent is None:
        return TOP
    if exponent > 0 and math.isfinite(exponent) and exponent.is_integer() and int(exponent) % 2 == 0:
        magnitude = _abs(base)
        return Range(_safe_pow(magnitude.lo, exponent), _safe_pow(magnitude.hi, exponent), base.has_log)
    if base.lo >= 0 and exponent > 0:
        return Range(_safe_pow(base.lo, exponent), _safe_pow(base.hi, exponent), base.has_log)
    return TOP


def _safe_pow(x: float, exponent: float) -> float:
    try:
        return x**exponent
    except OverflowError:
        return math.inf


def _abs(a: Range) -> Range:
    if a.lo >= 0:
        return a
    if a.hi <= 0:
        return negate(a)
    return Range(0.0, max(-a.lo, a.hi), a.has_log)


def _exp(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf


def function_range(name: str, inner: Range) -> Range:
    """The range of a one-argument tensor function applied to values in `inner`."""
    if name in SUMS:
        return _sum(inner)
    if name in SAME_RANGE_REDUCTIONS or name in PASSTHROUGH or name == "stop_gradient":
        return inner
    if name in ("abs", "absolute"):
        return _abs(inner)
    if name == "square":
        return power(inner, 2.0)
    if name in ("relu", "relu6"):
        return Range(max(inner.lo, 0.0), max(inner.hi, 0.0), inner.has_log)
    if name in ("sqrt",):
        return Range(math.sqrt(max(inner.lo, 0.0)), math.sqrt(inner.hi) if inner.hi >= 0 else 0.0, inner.has_log)
    if name == "exp":  # exp of a log-probability is a probability (a PPO ratio), no longer a log-likelihood
        return Range(_exp(inner.lo) if inner.lo > -math.inf else 0.0, _exp(inner.hi))
    if name in ("sigmoid", "softmax", "hard_sigmoid"):
        return Range(0.0, 1.0)
    if name in ("tanh", "sin", "cos"):
        return Range(-1.0, 1.0)
    if name == "softplus":
        return Range(0.0, inner.hi + math.log(2) if inner.hi < math.inf else math.inf)
    if name in ("log_sigmoid", "log_softmax"):  # the stable logs of a sigmoid/softmax: log-probabilities
        return Range(-math.inf, 0.0, has_log=True)
    if name in ("negative",):
        return negate(inner)
    if name in ("ones_like", "ones"):
        return Range(1.0, 1.0)
    if name in ("zeros_like", "zeros"):
        return Range(0.0, 0.0)
    return TOP
