"""Ranges: an interval for the values of an expression, under assumptions about the loss's inputs.
Used for the sign of a returned log-likelihood, for the bound of an exp's argument, and as a guard's
last resort. Whatever cannot be resolved has an unknown range."""

from __future__ import annotations

import math

import libcst as cst

from kerlint.extract.numerics import intervals
from kerlint.extract.numerics.intervals import TOP, UNIT, Range
from kerlint.extract.numerics.constants import Constants
from kerlint.extract.numerics.memo import analysis
from kerlint.extract.numerics.resolution import Resolution, Returns
from kerlint.extract.numerics.taint import Taint
from kerlint.extract.numerics.syntax import (
    Where, additive_terms, builtin_name, call_argument, clip_ceiling, clip_floor, literal_number, selection,
)
from kerlint.extract.numerics.vocabulary import (
    CLIPS, DATA_MAKERS, DIVIDES, EXPS, GRADIENT_KINDS, KERAS_DEFAULT_EPSILON, LOGS, MAXIMUMS, MINIMUMS, POWERS, SELECTORS,
)


def _factor_pairs(expr: cst.BaseExpression) -> list[tuple[cst.BaseExpression, cst.BaseExpression]]:
    """`a * b` -> [(a, b), (b, a)]: each factor with the other."""
    if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Multiply):
        return [(expr.left, expr.right), (expr.right, expr.left)]
    return []


# What each analysis assumes about the inputs. Guards assume nothing: a tanh output reaches -1, so even
# `1 + y_pred` can be 0. The sign of a log-likelihood weights targets as labels in [0, 1] (1 - y_true,
# 1 + y_true are non-negative weights). exp bounds assume bounded targets and unbounded predictions.
ASSUMPTIONS: dict[str, dict[str, Range]] = {
    "guard": {},
    "likelihood": {"target": UNIT},
    "exp": {"target": UNIT},
}
OPERATIONS = {cst.Add: intervals.add, cst.Subtract: intervals.subtract, cst.Multiply: intervals.multiply,
              cst.Divide: intervals.divide}
MAXIMUM_REDUCTIONS = ("max", "reduce_max", "amax", "logsumexp", "reduce_logsumexp")


class Ranges:
    """The range analysis of one function, on its resolution, taint and constants; what a helper returns
    is asked of `returns`."""

    def __init__(self, resolution: Resolution, taint: Taint, constants: Constants, returns: Returns) -> None:
        self.module, self.ctx, self.memo = resolution.module, resolution.ctx, resolution.memo
        self.resolve, self.find, self.reduces = resolution.resolve, resolution.find, resolution.reduces
        self.math_name, self.user_function = resolution.math_name, resolution.user_function
        self.arithmetic = resolution.arithmetic
        self.taint, self.tainted = taint.taint, taint.tainted
        self.value, self.fixed_epsilon, self.is_keras_epsilon = constants.value, constants.fixed_epsilon, constants.is_keras_epsilon
        self.returns = returns

    @analysis(TOP)
    def range(self, expr: cst.BaseExpression, where: Where, assumption: str) -> Range:
        literal = literal_number(expr)
        if literal is not None:
            return Range(literal, literal)
        if isinstance(expr, (cst.Name, cst.Attribute)):
            return self._name_range(expr, where, assumption)
        if isinstance(expr, cst.UnaryOperation):
            inner = self.range(expr.expression, where, assumption)
            if isinstance(expr.operator, cst.Minus):
                return intervals.negate(inner)
            return inner if isinstance(expr.operator, cst.Plus) else TOP
        if isinstance(expr, cst.BinaryOperation):
            return self._binary_range(expr, where, assumption)
        if isinstance(expr, cst.Call):
            operation = self.arithmetic(expr)
            return self._call_range(expr, where, assumption) if operation is expr else self.range(operation, where, assumption)
        if isinstance(expr, cst.Subscript):
            return self.range(expr.value, where, assumption)
        if isinstance(expr, cst.IfExp):
            return intervals.union(self.range(expr.body, where, assumption), self.range(expr.orelse, where, assumption))
        return TOP

    def _name_range(self, expr, where: Where, assumption: str) -> Range:
        fixed = self.fixed_epsilon(expr)
        if fixed is not None:
            return Range(fixed, fixed)
        resolved = self.resolve(expr, where)
        if resolved is None:
            return TOP
        if resolved.source is not None:
            return ASSUMPTIONS[assumption].get(resolved.source, TOP)
        if resolved.value is None:
            return TOP
        return self.range(resolved.value, resolved.where, assumption)

    def _binary_range(self, expr: cst.BinaryOperation, where: Where, assumption: str) -> Range:
        if isinstance(expr.operator, cst.Subtract) and self._is_max_of(expr.right, expr.left, where):
            # `x - K.max(x, ...)` (the log-sum-exp shift) is never positive
            return Range(-math.inf, 0.0, self.range(expr.left, where, assumption).has_log)
        if isinstance(expr.operator, cst.Add):
            mixed = self._convex_combination(expr.left, expr.right, where, assumption)
            if mixed is not None:
                return mixed
        if isinstance(expr.operator, cst.Power):
            exponent = self.value(expr.right, where)
            return intervals.power(self.range(expr.left, where, assumption), exponent)
        if isinstance(expr.operator, (cst.Multiply, cst.Divide)):
            left, right = self._factor_range(expr.left, where, assumption), self._factor_range(expr.right, where, assumption)
        else:
            left, right = self.range(expr.left, where, assumption), self.range(expr.right, where, assumption)
        combine = OPERATIONS.get(type(expr.operator))
        return combine(left, right) if combine else TOP

    def _convex_combination(self, first: cst.BaseExpression, second: cst.BaseExpression, where: Where,
                            assumption: str) -> Range | None:
        """`w * a + (1 - w) * b` (factors in either order) with w in [0, 1] lies between a and b: focal
        loss's p_t = y * p + (1 - y) * (1 - p). A weight computed from the targets alone counts as a label
        in [0, 1] (targets outside it are a crossentropy's own fault, reported as such)."""
        first, second = self.arithmetic(first), self.arithmetic(second)
        for one, other in ((first, second), (second, first)):
            for weight, a in _factor_pairs(one):
                for complement, b in _factor_pairs(other):
                    terms = additive_terms(self.arithmetic(complement))
                    if (len(terms) == 2 and terms[0][0] > 0 and terms[1][0] < 0
                            and self.value(terms[0][1], where) == 1.0
                            and self.ctx.text(terms[1][1]) == self.ctx.text(weight)
                            and self._mixing_weight(weight, where, assumption)):
                        return intervals.union(self.range(a, where, assumption), self.range(b, where, assumption))
        return None

    def _mixing_weight(self, weight: cst.BaseExpression, where: Where, assumption: str) -> bool:
        found = self.range(weight, where, assumption)
        if 0.0 <= found.lo and found.hi <= 1.0:
            return True
        kinds = self.taint(weight, where)
        return bool(kinds) and not kinds & GRADIENT_KINDS

    def _is_max_of(self, expr: cst.BaseExpression, operand: cst.BaseExpression, where: Where) -> bool:
        """`K.max(x)` itself, or a name bound to it (`m = K.max(x); x - m`)."""
        if self.reduces(expr, MAXIMUM_REDUCTIONS, operand):
            return True
        resolved = self.resolve(expr, where) if isinstance(expr, cst.Name) else None
        return resolved is not None and resolved.value is not None and self.reduces(resolved.value, MAXIMUM_REDUCTIONS, operand)

    def _factor_range(self, expr: cst.BaseExpression, where: Where, assumption: str) -> Range:
        """For a log-likelihood's sign, a weight computed from the prediction (p in p * log(p), focal
        loss's (1 - p) ** gamma) counts as unknown: those losses do not run to -inf."""
        found = self.range(expr, where, assumption)
        if assumption == "likelihood" and not found.has_log and self.taint(expr, where) & {"prediction", "derived"}:
            return TOP
        return found

    def _call_range(self, call: cst.Call, where: Where, assumption: str) -> Range:
        if self.is_keras_epsilon(call):
            return Range(KERAS_DEFAULT_EPSILON, KERAS_DEFAULT_EPSILON)
        if self.user_function(call):
            return self.returns.return_range(call, assumption)
        if self.ctx.callee(call) in DATA_MAKERS:  # a placeholder fed the targets of a TF1 graph
            return ASSUMPTIONS[assumption].get("target", TOP)
        name = self.math_name(call) or builtin_name(call)
        if name in SELECTORS:
            selected = selection(call)
            return TOP if selected is None else intervals.union(self.range(selected[1], where, assumption),
                                                                self.range(selected[2], where, assumption))
        first = call_argument(call, 0, ("x", "input_tensor", "logits", "features", "a", "t"))
        if name is None or first is None:
            return TOP
        if name in LOGS:
            return self._log_range(first, where)
        inner = self.range(first, where, assumption)
        if name in CLIPS:
            return self._clip_range(call, inner, where)
        if name in MAXIMUMS or name in MINIMUMS:
            other = call_argument(call, 1, ("y", "b"))
            if other is None:
                return TOP
            pick = max if name in MAXIMUMS else min
            second = self.range(other, where, assumption)
            return Range(pick(inner.lo, second.lo), pick(inner.hi, second.hi), inner.has_log or second.has_log)
        if name in ("pow", "power"):
            exponent = call_argument(call, 1, ("y", "x2", "exponent"))
            return intervals.power(inner, self.value(exponent, where) if exponent is not None else None)
        return intervals.function_range(name, inner)

    def _clip_range(self, call: cst.Call, inner: Range, where: Where) -> Range:
        low, high = clip_floor(call), clip_ceiling(call)
        lo = self.value(low, where) if low is not None else None
        hi = self.value(high, where) if high is not None else None
        return Range(max(inner.lo, lo) if lo is not None else inner.lo, min(inner.hi, hi) if hi is not None else inner.hi,
                     inner.has_log)

    def _log_range(self, argument: cst.BaseExpression, where: Where) -> Range:
        """log of a probability-like value of the prediction is a log-probability: <= 0."""
        if self.tainted(argument, where) and self.find(argument, where, self._not_probability) is None:
            return Range(-math.inf, 0.0, has_log=True)
        return TOP

    def _not_probability(self, node: cst.CSTNode, where: Where) -> bool:
        """Parts that make a log's argument something other than a probability: ratios, exp, nested logs,
        helper calls."""
        if isinstance(node, cst.BinaryOperation):
            return isinstance(node.operator, (cst.Divide, cst.Power))
        if isinstance(node, cst.Call):
            name = self.math_name(node)
            return self.user_function(node) or name in LOGS or name in EXPS or name in DIVIDES or name in POWERS
        return False
