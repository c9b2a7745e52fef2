"""Guards: what keeps a value in the safe domain of log / sqrt / a denominator (strictly above 0),
and what bounds an exp's argument from above.

Above 0: a clip with a positive lower bound, `maximum(x, c > 0)`, an epsilon added (a small literal, a
named constant, a trailing `+ 1.` smoothing, `K.epsilon()`, `np.finfo(..).eps`), a strictly positive
function (exp, softplus, sigmoid, softmax), or a complement `c - x` of an input clipped below c. A
leading literal (`1 - y_pred`, `1 + y_pred`) shifts the input and guards nothing: a tanh output reaches
-1. An exp's argument: a clip or minimum, or a value evidently <= 0 such as `-K.abs(x)` or
`x - K.max(x)`. Whatever cannot be resolved counts as guarded: every doubt ends in silence."""

from __future__ import annotations

import math
from dataclasses import dataclass

import libcst as cst

from kerlint.extract.numerics.constants import Constants, ConstantSource
from kerlint.extract.numerics.memo import analysis
from kerlint.extract.numerics.ranges import Ranges
from kerlint.extract.numerics.resolution import Resolution
from kerlint.extract.numerics.taint import Taint
from kerlint.extract.numerics.syntax import (
    Where, additive_terms, call_argument, clip_ceiling, clip_floor, literal_like, literal_number, selection,
)
from kerlint.extract.numerics.vocabulary import (
    CLIPS, EPSILON_LITERAL_MAX, EXP_SAFE_ARGUMENT, KERAS_DEFAULT_EPSILON, KNOWN_MATH, MAXIMUMS, MINIMUMS, PASSTHROUGH,
    SAME_RANGE_REDUCTIONS, SELECTORS, STRICTLY_POSITIVE, SUMS, WEIGHT_MAKERS,
)


@dataclass(frozen=True)
class Guard:
    text: str  # what keeps the value in its safe domain, as written
    constants: tuple[ConstantSource, ...] = ()


ASSUMED = Guard("(not analyzed)")  # used where analysis gave up: assume the author guarded it


REDUCING_METHODS = ("sum", "mean", "max", "prod")


def _both(first: Guard | None, second: Guard | None) -> Guard | None:
    if first is None or second is None:
        return None
    return Guard(second.text if first.text == ASSUMED.text else first.text, first.constants + second.constants)


def _maybe(source: ConstantSource | None) -> tuple[ConstantSource, ...]:
    return (source,) if source is not None else ()


class Guards:
    """The guard analysis of one function, on its resolution, taint, constants and ranges."""

    def __init__(self, resolution: Resolution, taint: Taint, constants: Constants, ranges: Ranges) -> None:
        self.module, self.ctx, self.memo = resolution.module, resolution.ctx, resolution.memo
        self.resolve, self.find = resolution.resolve, resolution.find
        self.math_name, self.user_function = resolution.math_name, resolution.user_function
        self.arithmetic = resolution.arithmetic
        self.tainted, self.model_output = taint.tainted, taint.model_output
        self.value, self.constant_source = constants.value, constants.constant_source
        self.is_epsilon_expression = constants.is_epsilon_expression
        self.range = ranges.range

    # --- strictly above 0 (log, sqrt, negative powers, denominators) ---------------------------------
    @analysis(ASSUMED)
    def positive(self, expr: cst.BaseExpression, where: Where) -> Guard | None:
        guard = self._positive_by_structure(expr, where)
        if guard is None and self.range(expr, where, "guard").lo > 0:
            guard = Guard(self.ctx.text(expr))
        return guard

    def _positive_by_structure(self, expr: cst.BaseExpression, where: Where) -> Guard | None:
        literal = literal_number(expr)
        if literal is not None:
            return Guard(self.ctx.text(expr)) if literal > 0 else None
        if self.is_epsilon_expression(expr):
            return Guard(self.ctx.text(expr), _maybe(self.constant_source(expr, where)))
        if isinstance(expr, (cst.Name, cst.Attribute)):
            resolved = self.resolve(expr, where)
            if resolved is None or resolved.value is None:
                return None if resolved is None or resolved.source is not None else ASSUMED
            # an element of an unpacked value (`a, b = K.split(y_pred, 2)`) is judged by the whole
            return self.positive(resolved.value, resolved.where)
        expr = self.arithmetic(expr)
        if isinstance(expr, cst.BinaryOperation):
            return self._binary_positive(expr, where)
        if isinstance(expr, cst.Call):
            return self._call_positive(expr, where)
        if isinstance(expr, cst.UnaryOperation) and isinstance(expr.operator, cst.Plus):
            return self.positive(expr.expression, where)
        if isinstance(expr, cst.Subscript):
            return self.positive(expr.value, where)
        if isinstance(expr, cst.IfExp):
            return _both(self.positive(expr.body, where), self.positive(expr.orelse, where))
        return None

    def _binary_positive(self, expr: cst.BinaryOperation, where: Where) -> Guard | None:
        if isinstance(expr.operator, (cst.Add, cst.Subtract)):
            return self._sum_positive(additive_terms(expr), where)
        if isinstance(expr.operator, (cst.Multiply, cst.Divide)):
            return _both(self.positive(expr.left, where), self.positive(expr.right, where))
        if isinstance(expr.operator, cst.Power):
            return self.positive(expr.left, where)
        return None

    def _sum_positive(self, terms: list[tuple[int, cst.BaseExpression]], where: Where) -> Guard | None:
        for index, (sign, term) in enumerate(terms):
            if sign > 0:
                guard = self._epsilon_term(term, where, trailing=index > 0)
                if guard is not None:
                    return guard
        return self._positive_addends(terms, where) or self._clipped_complement(terms, where)

    def _epsilon_term(self, term: cst.BaseExpression, where: Where, trailing: bool) -> Guard | None:
        """An addend that reads as an epsilon: a machine epsilon, a named positive constant, a small
        literal, a trailing literal of 1 or more (`intersection + 1.`, smoothing), or an untainted value
        of unknown size. A leading literal (`1 - y_pred`, `1 + y_pred`, `0.5 + 0.5 * p`) is a complement
        or a shift of the input: it does not keep the value away from 0."""
        if self.tainted(term, where):
            return None
        text = self.ctx.text(term)
        if self.is_epsilon_expression(term):
            return Guard(text, _maybe(self.constant_source(term, where)))
        value = self.value(term, where)
        if value is None:
            evidently_negative = isinstance(term, cst.UnaryOperation) and isinstance(term.operator, cst.Minus)
            return None if evidently_negative or literal_like(term) else Guard(text)
        if value <= 0:
            return None
        if literal_like(term) and value > EPSILON_LITERAL_MAX and not (trailing and value >= 1):
            return None
        return Guard(text, _maybe(self.constant_source(term, where)))

    def _positive_addends(self, terms, where: Where) -> Guard | None:
        """`t + 1` where t is guarded: all addends positive or non-negative, one of them positive."""
        if any(sign < 0 for sign, _ in terms):
            return None
        guards = [self.positive(term, where) for _, term in terms]
        if not any(guards):
            return None
        if all(g is not None or self.range(term, where, "guard").lo >= 0 for g, (_, term) in zip(guards, terms)):
            return next(g for g in guards if g is not None)
        return None

    def _clipped_complement(self, terms, where: Where) -> Guard | None:
        """`1 - p` where p was clipped below 1."""
        positives = [self.value(term, where) for sign, term in terms if sign > 0]
        negatives = [term for sign, term in terms if sign < 0]
        if not negatives or not positives or any(v is None for v in positives):
            return None
        ceiling = sum(positives)
        bounds = [self.upper_bound_guard(term, where, ceiling) for term in negatives]
        return bounds[0] if all(bounds) else None

    def _call_positive(self, call: cst.Call, where: Where) -> Guard | None:
        name = self.math_name(call)
        first = call_argument(call, 0, ("x", "t", "a"))
        if name in WEIGHT_MAKERS or self.model_output(call, self.ctx.callee(call), where):
            return None  # a trainable weight or a model's output: nothing keeps it above 0
        if name in CLIPS:
            return self.clip_floor_guard(call, where)
        if name in MAXIMUMS:
            return self.maximum_guard(call, where)
        if name in STRICTLY_POSITIVE:
            return Guard(self.ctx.text(call))
        if name in SELECTORS:
            return self._selection_guard(call, where, lambda branch: self.positive(branch, where))
        if (name in SUMS or name in ("mean", "reduce_mean")) and self._whole_softmax(call, first, where):
            return Guard(self.ctx.text(call))
        if name in PASSTHROUGH or name in SUMS or name in SAME_RANGE_REDUCTIONS or name in ("sqrt", "square", "abs", "pow", "power"):
            return self.positive(first, where) if first is not None else None
        if name is None and isinstance(call.func, cst.Attribute) and call.func.attr.value in REDUCING_METHODS:
            return self.positive(call.func.value, where)  # exp(x).sum() is as positive as exp(x)
        if name is None and (self.user_function(call) or self.ctx.callee(call) is not None):
            return Guard(self.ctx.text(call))  # a helper or an API we don't model: assume it guards
        if name is not None and name not in KNOWN_MATH:
            return Guard(self.ctx.text(call))
        return None

    def _whole_softmax(self, call: cst.Call, first: cst.BaseExpression | None, where: Where) -> bool:
        """The sum or mean of a softmax over every axis (or its class axis): its rows sum to 1, so the
        result is 1 per row whatever the logits, never 0."""
        if first is None or any(arg.keyword is not None and arg.keyword.value in ("axis", "reduction_indices")
                                and self.value(arg.value, where) != -1 for arg in call.args[1:]):
            return False
        if len([arg for arg in call.args if arg.keyword is None]) > 1:
            return False
        source = first
        while isinstance(source, (cst.Name, cst.Attribute)):
            resolved = self.resolve(source, where)
            if resolved is None or resolved.value is None or not resolved.exact:
                return False
            source, where = resolved.value, resolved.where
        return isinstance(source, cst.Call) and self.math_name(source) == "softmax"

    def clip_floor_guard(self, call: cst.Call, where: Where) -> Guard | None:
        low = clip_floor(call)
        if low is None:
            return ASSUMED
        value = self.value(low, where)
        if value is not None and value <= 0:
            return None
        return Guard(self.ctx.text(call), _maybe(self.constant_source(low, where, "clip")))

    def ceiling_constant(self, call: cst.Call, where: Where) -> ConstantSource | None:
        """The eps of a clip's `1 - eps` upper bound, where it is defined."""
        high = clip_ceiling(call)
        terms = additive_terms(high) if high is not None else []
        if len(terms) != 2 or terms[0][0] < 0 or terms[1][0] > 0 or self.value(terms[0][1], where) != 1.0:
            return None
        return self.constant_source(terms[1][1], where, "clip-ceiling")

    def maximum_guard(self, call: cst.Call, where: Where) -> Guard | None:
        for arg in call.args[:2]:
            if self.tainted(arg.value, where):
                continue
            value = self.value(arg.value, where)
            if value is None and self.is_epsilon_expression(arg.value):
                value = KERAS_DEFAULT_EPSILON
            if value is None or value > 0:
                return Guard(self.ctx.text(call), _maybe(self.constant_source(arg.value, where, "maximum")))
        guards = [self.positive(arg.value, where) for arg in call.args[:2]]
        return next((g for g in guards if g is not None), None)

    # --- below a ceiling (the p of `1 - p`) ----------------------------------------------------------
    @analysis(ASSUMED)
    def upper_bound_guard(self, expr: cst.BaseExpression, where: Where, ceiling: float) -> Guard | None:
        """What keeps expr below `ceiling`: a clip or minimum under it (or of unknown bound), a selector."""
        if isinstance(expr, (cst.Name, cst.Attribute)):
            resolved = self.resolve(expr, where)
            if resolved is None or resolved.value is None:
                return None
            if resolved.exact:
                return self.upper_bound_guard(resolved.value, resolved.where, ceiling)
            # an element of an unpacked input or model output (`x, x_hat = inputs`) is as unbounded as it
            return None if self._unpacked_input(resolved.value, resolved.where) else ASSUMED
        if isinstance(expr, cst.Subscript):
            return self.upper_bound_guard(expr.value, where, ceiling)
        if not isinstance(expr, cst.Call):
            return None
        name = self.math_name(expr)
        if name in CLIPS:
            return self._ceiling_guard(expr, clip_ceiling(expr), where, ceiling)
        if name in MINIMUMS:
            return self._minimum_ceiling(expr, where, ceiling)
        if name in PASSTHROUGH or name in SAME_RANGE_REDUCTIONS:
            first = call_argument(expr, 0, ("x",))
            return self.upper_bound_guard(first, where, ceiling) if first is not None else None
        if name in SELECTORS:
            return self._selection_guard(expr, where, lambda branch: self.upper_bound_guard(branch, where, ceiling))
        bound = self.range(expr, where, "guard").hi
        if self.user_function(expr) and bound == math.inf:
            return Guard(self.ctx.text(expr))  # a helper whose result we cannot bound: assume it guards
        return Guard(self.ctx.text(expr)) if bound < ceiling else None

    def _unpacked_input(self, whole: cst.BaseExpression, where: Where) -> bool:
        """An input of the function, or a model's output (`y_pred, state = model.stateless_call(...)`)."""
        if isinstance(whole, cst.Call):
            return self.model_output(whole, self.ctx.callee(whole), where)
        resolved = self.resolve(whole, where) if isinstance(whole, cst.Name) else None
        return resolved is not None and resolved.source is not None

    def _ceiling_guard(self, call: cst.Call, bound: cst.BaseExpression | None, where: Where, ceiling: float) -> Guard | None:
        if bound is None:
            return None
        value = self.value(bound, where)
        return Guard(self.ctx.text(call)) if value is None or value < ceiling else None

    def _minimum_ceiling(self, call: cst.Call, where: Where, ceiling: float) -> Guard | None:
        for arg in call.args[:2]:
            value = self.value(arg.value, where)
            if value is not None and value < ceiling:
                return Guard(self.ctx.text(call))
        return None

    def _selection_guard(self, call: cst.Call, where: Where, branch_guard) -> Guard | None:
        """tf.where(c, a, b) / K.switch: guarded when both branches are, or when the condition tests a
        branch itself (`tf.where(n > 0, n, 1.)`)."""
        selected = selection(call)
        if selected is None:
            return ASSUMED
        condition, first, second = selected
        if self._tests(condition, first) or self._tests(condition, second):
            return Guard(self.ctx.text(call))
        return _both(branch_guard(first), branch_guard(second))

    def _tests(self, condition: cst.BaseExpression, branch: cst.BaseExpression) -> bool:
        if not isinstance(condition, cst.Comparison):
            return False
        compared = [condition.left, *(target.comparator for target in condition.comparisons)]
        return self.ctx.text(branch) in {self.ctx.text(part) for part in compared}

    # --- an exp's argument, bounded from above -------------------------------------------------------
    def exp_guard(self, expr: cst.BaseExpression, where: Where) -> Guard | None:
        bounding = self.find(expr, where, self._bounds_or_hides)
        if bounding is not None:
            return Guard(self.ctx.text(bounding))
        if self.range(expr, where, "exp").hi <= EXP_SAFE_ARGUMENT:
            return Guard(f"{self.ctx.text(expr)} <= {EXP_SAFE_ARGUMENT:g}")
        return None

    def _bounds_or_hides(self, node: cst.CSTNode, where: Where) -> bool:
        """A clip or minimum bounds an exp's argument; a helper's result is assumed bounded."""
        if not isinstance(node, cst.Call):
            return False
        return self.math_name(node) in CLIPS or self.math_name(node) in MINIMUMS or self.user_function(node)
