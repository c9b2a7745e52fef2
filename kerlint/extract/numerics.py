"""Custom losses and metrics: which functions they are, and the numeric hazards inside their bodies.

Three questions are asked of every expression inside a custom loss or metric, by `Evaluator`:

- taint: is it computed from the loss's inputs (y_true / y_pred, or a helper's parameters that
  received them)? Shapes, sizes and lengths of the inputs are counts, not values, and stay untainted.
- guard: what keeps it in the safe domain of log / sqrt / a denominator (strictly above 0): a clip
  with a positive lower bound, `maximum(x, c > 0)`, an epsilon added (a small literal, a named
  constant, a trailing `+ 1.` smoothing, `K.epsilon()`, `np.finfo(..).eps`), a strictly positive
  function (exp, softplus, sigmoid, softmax), or a complement `c - x` of an input clipped below c.
  A leading literal (`1 - y_pred`, `1 + y_pred`) shifts the input and guards nothing: a tanh output
  reaches -1. For exp, what bounds the argument from above (a clip or minimum, or a value evidently
  <= 0 such as `-K.abs(x)` or `x - K.max(x)`).
- range: an interval with assumptions about the inputs, for the sign of the returned value (a loss
  that is a never-negated log-likelihood).

Local names are resolved to their latest assignment before the expression that uses them, then to
enclosing functions (loss factories) and the module. Whatever cannot be resolved counts as guarded
or of unknown sign: every doubt ends in silence.
"""

from __future__ import annotations

import ast
import math
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import wraps
from typing import Callable, Iterator

import libcst as cst

from kerlint.diagnostic import Span
from kerlint.extract.collect import Binding, ModuleContext, Scope
from kerlint.extract.names import dotted
from kerlint.facts import CustomFunction, LogLikelihoodReturn, NumericOp, SmallConstant

# --- vocabulary --------------------------------------------------------------------------------------

# Namespaces whose functions are tensor math; a call is classified by its last name inside one.
MATH_NAMESPACES = frozenset({
    "keras.backend", "keras.ops", "keras.ops.numpy", "keras.ops.math", "keras.ops.nn", "keras.ops.linalg",
    "keras.activations", "tensorflow", "tensorflow.math", "tensorflow.nn", "tensorflow.linalg",
    "tensorflow.experimental.numpy", "numpy", "numpy.linalg", "math", "jax.numpy", "jax.nn", "torch",
})
LOGS = frozenset({"log", "log2", "log10"})
SQRTS = frozenset({"sqrt", "rsqrt"})
EXPS = frozenset({"exp", "expm1"})
DIVIDES = frozenset({"divide", "true_divide", "truediv", "realdiv", "div"})
RECIPROCALS = frozenset({"reciprocal"})
POWERS = frozenset({"pow", "power", "float_power"})
CLIPS = frozenset({"clip", "clip_by_value"})
MAXIMUMS = frozenset({"maximum", "fmax"})
MINIMUMS = frozenset({"minimum", "fmin"})
STRICTLY_POSITIVE = frozenset({"exp", "softplus", "sigmoid", "softmax", "cosh"})
# Functions that choose between values: assume the author guarded with them.
SELECTORS = frozenset({"where", "switch", "select", "cond"})
SUMS = frozenset({"sum", "reduce_sum", "cumsum"})
SAME_RANGE_REDUCTIONS = frozenset({"mean", "reduce_mean", "max", "reduce_max", "min", "reduce_min", "amax", "amin",
                                   "average", "nanmean"})
# Functions that move or reshape values without changing them.
PASSTHROUGH = frozenset({
    "reshape", "flatten", "batch_flatten", "squeeze", "expand_dims", "transpose", "permute_dimensions", "cast",
    "gather", "gather_nd", "stop_gradient", "identity", "convert_to_tensor", "boolean_mask", "tile", "repeat",
    "concatenate", "concat", "stack", "ravel", "asarray", "array", "constant", "cast_to_floatx", "float32",
    "float64", "tensor", "sort", "take", "take_along_axis", "broadcast_to", "resize_images", "split", "unstack",
    "unpack", "slice", "strided_slice",
})
# Counts: derived from the inputs' shapes, never zero because of their values.
COUNTS = frozenset({"shape", "int_shape", "size", "ndim", "rank", "len", "ones_like", "zeros_like", "ones", "zeros",
                    "get_shape", "num_elements", "shape_n", "count_params", "float", "int"})
SHAPE_ATTRIBUTES = frozenset({"shape", "dtype", "ndim", "size", "name"})
# Libraries whose functions carry the inputs' values through to their results.
TENSOR_PACKAGES = frozenset({"keras", "tensorflow", "numpy", "math", "jax", "torch", "scipy"})
KERAS_EPSILONS = frozenset({"keras.backend.epsilon", "keras.config.epsilon"})
FINFO_CONSTANTS = {"eps": {16: 2.0**-10, 32: 2.0**-23, 64: 2.0**-52},
                   "tiny": {16: 2.0**-14, 32: 2.0**-126, 64: 2.0**-1022}}
PYTHON_EPSILONS = {"sys.float_info.epsilon": 2.0**-52}
KERAS_DEFAULT_EPSILON = 1e-7

# A bare literal this small added to a value reads as an epsilon; a larger one (`1 - p`, `0.5 + 0.5 * p`)
# shifts the value and does not keep it away from 0.
EPSILON_LITERAL_MAX = 1e-2
EXP_SAFE_ARGUMENT = 80.0  # exp overflows float32 above ~88.7

TARGET_PARAMS = frozenset({"y_true", "ytrue", "y_t", "yt", "true", "y", "target", "targets", "y_target", "label",
                           "labels", "y_label", "y_labels", "gt", "y_gt", "ground_truth", "truth", "y_actual",
                           "actual", "true_labels", "mask", "masks", "y_mask", "true_mask", "t"})
PREDICTION_HINTS = ("pred", "hat", "logit", "output", "prob", "score")
LOSS_BASES = ("Loss",)
METRIC_BASES = ("Metric", "MeanMetricWrapper")
LIKELIHOOD_NAMES = ("likelihood", "log_prob", "logprob", "loglik")


# --- small values ------------------------------------------------------------------------------------

Position = tuple[int, int]
Function = cst.FunctionDef | cst.Lambda
Where = tuple[Scope, "Position | None"]  # where an expression is evaluated: its scope, and the point in it


@dataclass(frozen=True)
class ConstantSource:
    """A positive constant some guard relies on, and where it is defined."""

    value: float
    text: str
    span: Span
    how: str = "added"  # "added", or the lower bound of a "clip" / "maximum"


@dataclass(frozen=True)
class Guard:
    text: str  # what keeps the value in its safe domain, as written
    constants: tuple[ConstantSource, ...] = ()


ASSUMED = Guard("(not analyzed)")  # used where analysis gave up: assume the author guarded it


@dataclass(frozen=True)
class Range:
    lo: float = -math.inf
    hi: float = math.inf
    has_log: bool = False  # contains a log-probability term

    def with_log(self, has_log: bool) -> Range:
        return Range(self.lo, self.hi, self.has_log or has_log)


TOP = Range()
UNIT = Range(0.0, 1.0)
# What each analysis assumes about the inputs. Guards assume nothing: a tanh output reaches -1, so even
# `1 + y_pred` can be 0. The sign of a log-likelihood weights targets as labels in [0, 1] (1 - y_true,
# 1 + y_true are non-negative weights). exp bounds assume bounded targets and unbounded predictions.
ASSUMPTIONS: dict[str, dict[str, Range]] = {
    "guard": {},
    "likelihood": {"target": UNIT},
    "exp": {"target": UNIT},
}


@dataclass(frozen=True)
class Resolved:
    """What a name (or `self.attr`) stands for at a point."""

    source: str | None = None  # "target", "prediction" or "derived" for a tainted parameter
    value: cst.BaseExpression | None = None
    where: Where = (None, None)
    exact: bool = True  # False for an element of an unpacked value we cannot index
    binding: Binding | None = None


# --- the analysis of expressions inside one function ------------------------------------------------

MAX_DEPTH = 60


def _analysis(unknown):
    """Memoize an Evaluator method by (expression, where, extra args) and bound its recursion depth;
    past the bound, return `unknown`, the answer that keeps rules silent."""

    def decorate(method):
        @wraps(method)
        def run(self: Evaluator, expr, where: Where, *extra):
            key = (method.__name__, id(expr), id(where[0]), where[1], extra)
            if key in self.memo:
                return self.memo[key]
            module = self.module
            if module.depth >= MAX_DEPTH:
                return unknown
            module.depth += 1
            try:
                result = method(self, expr, where, *extra)
            finally:
                module.depth -= 1
            self.memo[key] = result
            return result

        return run

    return decorate


class Evaluator:
    """Taint, guards, constant values and ranges of expressions inside one custom function."""

    def __init__(self, module: ModuleAnalysis, function: Function, sources: dict[str, str]) -> None:
        self.module = module
        self.ctx = module.ctx
        self.function = function
        self.sources = sources  # parameter name -> "target" | "prediction" | "derived"
        # Where the body's names live: the function itself, or for a lambda the scope around it.
        self.scope: Scope = module.scope_of(function) if isinstance(function, cst.Lambda) else function
        self.memo: dict = {}
        self._synthetic: dict[int, cst.BaseExpression] = {}  # keeps augmented-assignment expressions alive

    # --- names ---------------------------------------------------------------------------------------
    def start(self, node: cst.CSTNode) -> Position:
        span = self.ctx.span(node)
        return span.line, span.col

    def where(self, node: cst.CSTNode) -> Where:
        """Where an expression of this function's body is evaluated."""
        return self.scope, self.start(node)

    def math_name(self, call: cst.Call) -> str | None:
        """`K.log(...)` -> "log" when the callee is a tensor-math function of a known namespace."""
        return self.module.math_name(call)

    def user_function(self, call: cst.Call) -> bool:
        return isinstance(call.func, cst.Name) and call.func.value in self.ctx.tables.functions

    def resolve(self, expr: cst.BaseExpression, where: Where) -> Resolved | None:
        if isinstance(expr, cst.Name):
            return self._resolve_name(expr.value, where)
        if _is_self_attribute(expr):
            return self._resolve_self_attribute(expr.attr.value, where)
        return None

    def _resolve_name(self, name: str, where: Where) -> Resolved | None:
        if isinstance(self.function, cst.Lambda) and name in self.sources and self._inside_lambda(where):
            return Resolved(source=self.sources[name])
        scope, at = where
        while True:
            candidates = self.ctx.tables.bindings.get(scope, {}).get(name)
            if candidates:
                binding = self._latest(candidates, at)
                return None if binding is None else self._binding_value(binding, scope)
            if scope is None:
                return None
            scope, at = self.ctx.tables.function_scope.get(scope), None

    def _inside_lambda(self, where: Where) -> bool:
        scope, at = where
        return scope is self.scope and at is not None and _inside(at, self.ctx.span(self.function))

    def _latest(self, bindings: list[Binding], at: Position | None) -> Binding | None:
        """The last binding complete before `at` (any binding's value when `at` is None)."""
        if at is None:
            return bindings[-1]
        ends, ordered = self.module.binding_ends(bindings)
        if ordered:
            index = bisect_right(ends, at)
            return bindings[index - 1] if index else None
        visible = [binding for binding, end in zip(bindings, ends) if end <= at]
        return visible[-1] if visible else None

    def _binding_value(self, binding: Binding, scope: Scope) -> Resolved:
        if binding.param_of is not None:
            if binding.param_of is self.function and binding.name in self.sources:
                return Resolved(source=self.sources[binding.name], binding=binding)
            passed = self.module.argument_passed(binding)
            if passed is not None:  # dice_loss(smooth=1e-12) at its one call site overrides the default
                return Resolved(value=passed[0], where=passed[1])
            outer = self.ctx.tables.function_scope.get(binding.param_of)
            return Resolved(value=binding.value, where=(outer, None), binding=binding)
        where = (scope, self.start(binding.node))  # its value reads the names as they were before it
        if binding.augmented is not None:
            return Resolved(value=self._augmented_expression(binding), where=where, binding=binding)
        value, exact = _unpack(binding.value, binding.path)
        return Resolved(value=value, where=where, exact=exact, binding=binding)

    def _augmented_expression(self, binding: Binding) -> cst.BaseExpression | None:
        """`x += e` as the expression `x + e`, with x read before the statement."""
        operator = AUGMENTED_OPERATORS.get(type(binding.augmented))
        if operator is None or binding.value is None:
            return None
        key = id(binding.node)
        if key not in self._synthetic:
            self._synthetic[key] = cst.BinaryOperation(cst.Name(binding.name), operator(), binding.value)
        return self._synthetic[key]

    def _resolve_self_attribute(self, attr: str, where: Where) -> Resolved | None:
        owner = self.ctx.tables.function_class.get(where[0]) if where[0] is not None else None
        bindings = self.ctx.tables.class_attributes.get(owner, {}).get(attr) if owner is not None else None
        if not bindings:
            return None
        binding = bindings[-1]
        method = self.module.method_containing(owner, binding.position)
        value, exact = _unpack(binding.value, binding.path)
        return Resolved(value=value, where=(method, self.start(binding.node)), exact=exact, binding=binding)

    # --- taint ---------------------------------------------------------------------------------------
    def tainted(self, expr: cst.CSTNode, where: Where) -> bool:
        return bool(self.taint(expr, where))

    @_analysis(frozenset())
    def taint(self, expr: cst.CSTNode, where: Where) -> frozenset[str]:
        """The kinds of input ("target", "prediction", "derived") an expression is computed from."""
        resolved = self.resolve(expr, where) if isinstance(expr, (cst.Name, cst.Attribute)) else None
        if resolved is not None:
            if resolved.source is not None:
                return frozenset((resolved.source,))
            return self.taint(resolved.value, resolved.where) if resolved.value is not None else NO_TAINT
        if isinstance(expr, cst.Name) or _is_self_attribute(expr):
            return NO_TAINT
        if isinstance(expr, cst.Attribute):
            return NO_TAINT if expr.attr.value in SHAPE_ATTRIBUTES else self.taint(expr.value, where)
        if isinstance(expr, cst.Call):
            return self._call_taint(expr, where)
        return _union_taint(self.taint(child, where) for child in _operands(expr))

    def _call_taint(self, call: cst.Call, where: Where) -> frozenset[str]:
        name = self.math_name(call) or _builtin_name(call)
        callee = self.ctx.callee(call)
        if name in COUNTS or (callee is not None and callee.split(".")[0] not in TENSOR_PACKAGES):
            return NO_TAINT  # a count, or another library's summary (sklearn's confusion_matrix)
        arguments = _union_taint(self.taint(arg.value, where) for arg in call.args)
        if isinstance(call.func, cst.Attribute) and self.ctx.callee(call) is None:
            if call.func.attr.value in COUNTS or call.func.attr.value in SHAPE_ATTRIBUTES:
                return NO_TAINT  # y_pred.get_shape(), x.numel()-style counts
            return arguments | self.taint(call.func.value, where)  # a method of a tensor: y_pred.sum()
        return arguments

    def source_kind(self, expr: cst.BaseExpression, where: Where) -> str | None:
        """How a helper's parameter is tainted by this argument: the caller's own kind when the argument
        is the tainted parameter itself, "derived" when computed from one, None when untainted."""
        resolved = self.resolve(expr, where)
        if resolved is not None and resolved.source is not None:
            return resolved.source
        return "derived" if self.tainted(expr, where) else None

    # --- constants -----------------------------------------------------------------------------------
    @_analysis(None)
    def value(self, expr: cst.BaseExpression, where: Where) -> float | None:
        """The numeric value of a constant expression (literals, names bound to them, K.epsilon())."""
        literal = _literal_number(expr)
        if literal is not None:
            return literal
        if isinstance(expr, (cst.Name, cst.Attribute)):
            fixed = self._fixed_epsilon(expr)
            if fixed is not None:
                return fixed
            resolved = self.resolve(expr, where)
            if resolved is None or resolved.value is None or not resolved.exact:
                return None
            return self.value(resolved.value, resolved.where)
        if isinstance(expr, cst.UnaryOperation):
            inner = self.value(expr.expression, where)
            if inner is None:
                return None
            return -inner if isinstance(expr.operator, cst.Minus) else inner if isinstance(expr.operator, cst.Plus) else None
        if isinstance(expr, cst.BinaryOperation):
            return _arithmetic(expr.operator, self.value(expr.left, where), self.value(expr.right, where))
        if isinstance(expr, cst.Call):
            return self._call_value(expr, where)
        return None

    def _call_value(self, call: cst.Call, where: Where) -> float | None:
        if self.ctx.callee(call) in KERAS_EPSILONS:
            return KERAS_DEFAULT_EPSILON
        name = self.math_name(call) or _builtin_name(call)
        if name in ("float", "cast", "constant", "cast_to_floatx", "float32", "float64", "convert_to_tensor", "array"):
            first = _argument(call, 0, ("x", "value"))
            return self.value(first, where) if first is not None else None
        return None

    def _fixed_epsilon(self, expr: cst.BaseExpression) -> float | None:
        """np.finfo(np.float32).eps, sys.float_info.epsilon: machine constants with known values."""
        name = self.ctx.qualify(expr)
        if name in PYTHON_EPSILONS:
            return PYTHON_EPSILONS[name]
        if not (isinstance(expr, cst.Attribute) and expr.attr.value in FINFO_CONSTANTS):
            return None
        call = expr.value
        if not (isinstance(call, cst.Call) and (self.ctx.callee(call) or "").endswith("numpy.finfo") and call.args):
            return None
        bits = _float_bits(self.ctx.text(call.args[0].value))
        return FINFO_CONSTANTS[expr.attr.value].get(bits) if bits else None

    def is_epsilon_expression(self, expr: cst.BaseExpression) -> bool:
        """K.epsilon(), keras.config.epsilon(), np.finfo(...).eps: machine epsilons, by name."""
        if isinstance(expr, cst.Call):
            return self.ctx.callee(expr) in KERAS_EPSILONS
        if isinstance(expr, cst.Attribute) and expr.attr.value in FINFO_CONSTANTS:
            return isinstance(expr.value, cst.Call) and (self.ctx.callee(expr.value) or "").endswith("numpy.finfo")
        return self.ctx.qualify(expr) in PYTHON_EPSILONS

    def constant_source(self, expr: cst.BaseExpression, where: Where, how: str = "added", depth: int = 0) -> ConstantSource | None:
        """Where the positive constant `expr` is defined: the line a user would change. None for
        K.epsilon() (configured elsewhere) and for values that are not constants."""
        value = self.value(expr, where)
        if value is None or value <= 0 or depth > 8 or self._is_keras_epsilon(expr):
            return None
        resolved = self.resolve(expr, where) if isinstance(expr, (cst.Name, cst.Attribute)) else None
        if resolved is None or resolved.value is None:
            return ConstantSource(value, self.ctx.text(expr), self.ctx.span(expr), how)
        if resolved.binding is None or isinstance(resolved.value, (cst.Name, cst.Attribute)):
            return self.constant_source(resolved.value, resolved.where, how, depth + 1)
        if self._is_keras_epsilon(resolved.value):
            return None
        return self._binding_source(resolved.binding, value, how)

    def _is_keras_epsilon(self, expr: cst.BaseExpression | None) -> bool:
        return isinstance(expr, cst.Call) and self.ctx.callee(expr) in KERAS_EPSILONS

    def _binding_source(self, binding: Binding, value: float, how: str) -> ConstantSource:
        node = binding.node
        if isinstance(node, cst.Param) and node.default is not None:
            start, end = self.ctx.span(node.name), self.ctx.span(node.default)
            text = self.ctx.module.code_for_node(node).strip().rstrip(",").strip()
            return ConstantSource(value, text, Span(start.line, start.col, end.end_line, end.end_col), how)
        return ConstantSource(value, self.ctx.text(node), self.ctx.span(node), how)

    # --- what keeps a value strictly above 0 (log, sqrt, negative powers, denominators) -------------------
    @_analysis(ASSUMED)
    def positive(self, expr: cst.BaseExpression, where: Where) -> Guard | None:
        guard = self._positive_by_structure(expr, where)
        if guard is None and self.range(expr, where, "guard").lo > 0:
            guard = Guard(self.ctx.text(expr))
        return guard

    def _positive_by_structure(self, expr: cst.BaseExpression, where: Where) -> Guard | None:
        literal = _literal_number(expr)
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
            return self._sum_positive(_additive_terms(expr), where)
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
            return None if evidently_negative or _literal_like(term) else Guard(text)
        if value <= 0:
            return None
        if _literal_like(term) and value > EPSILON_LITERAL_MAX and not (trailing and value >= 1):
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

    @_analysis(ASSUMED)
    def upper_bound_guard(self, expr: cst.BaseExpression, where: Where, ceiling: float) -> Guard | None:
        """What keeps expr below `ceiling`: a clip or minimum under it (or of unknown bound), a selector."""
        if isinstance(expr, (cst.Name, cst.Attribute)):
            resolved = self.resolve(expr, where)
            if resolved is None or resolved.value is None:
                return None
            return self.upper_bound_guard(resolved.value, resolved.where, ceiling) if resolved.exact else ASSUMED
        if isinstance(expr, cst.Subscript):
            return self.upper_bound_guard(expr.value, where, ceiling)
        if not isinstance(expr, cst.Call):
            return None
        name = self.math_name(expr)
        if name in CLIPS:
            return self._ceiling_guard(expr, _argument(expr, 2, ("max_value", "clip_value_max", "a_max", "x_max")), where, ceiling)
        if name in MINIMUMS:
            return self._minimum_ceiling(expr, where, ceiling)
        if name in PASSTHROUGH or name in SAME_RANGE_REDUCTIONS:
            first = _argument(expr, 0, ("x",))
            return self.upper_bound_guard(first, where, ceiling) if first is not None else None
        if name in SELECTORS:
            return self._selection_guard(expr, where, lambda branch: self.upper_bound_guard(branch, where, ceiling))
        if self.user_function(expr):
            return Guard(self.ctx.text(expr))
        return Guard(self.ctx.text(expr)) if self.range(expr, where, "guard").hi < ceiling else None

    def _selection_guard(self, call: cst.Call, where: Where, branch_guard) -> Guard | None:
        """tf.where(c, a, b) / K.switch: guarded when both branches are, or when the condition tests a
        branch itself (`tf.where(n > 0, n, 1.)`)."""
        selected = _selected(call)
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

    def _call_positive(self, call: cst.Call, where: Where) -> Guard | None:
        name = self.math_name(call)
        first = _argument(call, 0, ("x", "t", "a"))
        if name in CLIPS:
            return self.clip_floor_guard(call, where)
        if name in MAXIMUMS:
            return self.maximum_guard(call, where)
        if name in STRICTLY_POSITIVE:
            return Guard(self.ctx.text(call))
        if name in SELECTORS:
            return self._selection_guard(call, where, lambda branch: self.positive(branch, where))
        if name in PASSTHROUGH or name in SUMS or name in SAME_RANGE_REDUCTIONS or name in ("sqrt", "square", "abs", "pow", "power"):
            return self.positive(first, where) if first is not None else None
        if name is None and (self.user_function(call) or self.ctx.callee(call) is not None):
            return Guard(self.ctx.text(call))  # a helper or an API we don't model: assume it guards
        if name is not None and name not in KNOWN_MATH:
            return Guard(self.ctx.text(call))
        return None

    def clip_floor_guard(self, call: cst.Call, where: Where) -> Guard | None:
        low = _argument(call, 1, ("min_value", "clip_value_min", "a_min", "x_min"))
        if low is None:
            return ASSUMED
        value = self.value(low, where)
        if value is not None and value <= 0:
            return None
        return Guard(self.ctx.text(call), _maybe(self.constant_source(low, where, "clip")))

    def ceiling_constant(self, call: cst.Call, where: Where) -> ConstantSource | None:
        """The eps of a clip's `1 - eps` upper bound, where it is defined."""
        high = _argument(call, 2, ("max_value", "clip_value_max", "a_max", "x_max"))
        terms = _additive_terms(high) if high is not None else []
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

    # --- what bounds an exp argument from above ----------------------------------------------------------
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

    # --- generic search through an expression and the names it reads ------------------------------------
    def find(self, expr: cst.CSTNode, where: Where, test: Callable[[cst.CSTNode, Where], bool]) -> cst.CSTNode | None:
        """The first node, in expr or in the values of the names it reads, that passes `test`."""
        return self._find(expr, where, test)

    @_analysis(None)
    def _find(self, expr: cst.CSTNode, where: Where, test) -> cst.CSTNode | None:
        if test(expr, where):
            return expr
        if isinstance(expr, (cst.Name, cst.Attribute)):
            resolved = self.resolve(expr, where)
            if resolved is not None and resolved.value is not None:
                return self._find(resolved.value, resolved.where, test)
            if isinstance(expr, cst.Name) or resolved is not None:
                return None
        children = [arg.value for arg in expr.args] if isinstance(expr, cst.Call) else _operands(expr)
        if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute) and self.ctx.callee(expr) is None:
            children = [expr.func.value, *children]
        for child in children:
            found = self._find(child, where, test)
            if found is not None:
                return found
        return None

    # --- ranges ------------------------------------------------------------------------------------------
    @_analysis(TOP)
    def range(self, expr: cst.BaseExpression, where: Where, assumption: str) -> Range:
        literal = _literal_number(expr)
        if literal is not None:
            return Range(literal, literal)
        if isinstance(expr, (cst.Name, cst.Attribute)):
            return self._name_range(expr, where, assumption)
        if isinstance(expr, cst.UnaryOperation):
            inner = self.range(expr.expression, where, assumption)
            return _negate(inner) if isinstance(expr.operator, cst.Minus) else inner if isinstance(expr.operator, cst.Plus) else TOP
        if isinstance(expr, cst.BinaryOperation):
            return self._binary_range(expr, where, assumption)
        if isinstance(expr, cst.Call):
            return self._call_range(expr, where, assumption)
        if isinstance(expr, cst.Subscript):
            return self.range(expr.value, where, assumption)
        if isinstance(expr, cst.IfExp):
            return _union(self.range(expr.body, where, assumption), self.range(expr.orelse, where, assumption))
        return TOP

    def _name_range(self, expr, where: Where, assumption: str) -> Range:
        fixed = self._fixed_epsilon(expr)
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
        if isinstance(expr.operator, cst.Subtract) and self._minus_own_maximum(expr):
            return Range(-math.inf, 0.0, self.range(expr.left, where, assumption).has_log)
        if isinstance(expr.operator, cst.Power):
            exponent = self.value(expr.right, where)
            return _power(self.range(expr.left, where, assumption), exponent)
        if isinstance(expr.operator, (cst.Multiply, cst.Divide)):
            left, right = self._factor_range(expr.left, where, assumption), self._factor_range(expr.right, where, assumption)
        else:
            left, right = self.range(expr.left, where, assumption), self.range(expr.right, where, assumption)
        combine = {cst.Add: _add, cst.Subtract: _subtract, cst.Multiply: _multiply, cst.Divide: _divide}.get(type(expr.operator))
        return combine(left, right) if combine else TOP

    def _factor_range(self, expr: cst.BaseExpression, where: Where, assumption: str) -> Range:
        """For a log-likelihood's sign, a weight computed from the prediction (p in p * log(p), focal
        loss's (1 - p) ** gamma) counts as unknown: those losses do not run to -inf."""
        found = self.range(expr, where, assumption)
        if assumption == "likelihood" and not found.has_log and self.taint(expr, where) & {"prediction", "derived"}:
            return TOP
        return found

    def _minus_own_maximum(self, expr: cst.BinaryOperation) -> bool:
        """`x - K.max(x, ...)` (the log-sum-exp shift) is never positive."""
        right = expr.right
        if not (isinstance(right, cst.Call) and self.math_name(right) in ("max", "reduce_max", "amax", "logsumexp", "reduce_logsumexp")):
            return False
        first = _argument(right, 0, ("x", "input_tensor"))
        return first is not None and self.ctx.text(first) == self.ctx.text(expr.left)

    def _call_range(self, call: cst.Call, where: Where, assumption: str) -> Range:
        if self.ctx.callee(call) in KERAS_EPSILONS:
            return Range(KERAS_DEFAULT_EPSILON, KERAS_DEFAULT_EPSILON)
        if self.user_function(call):
            return self.module.return_range(call, assumption)
        name = self.math_name(call) or _builtin_name(call)
        if name in SELECTORS:
            selected = _selected(call)
            return TOP if selected is None else _union(self.range(selected[1], where, assumption),
                                                       self.range(selected[2], where, assumption))
        first = _argument(call, 0, ("x", "input_tensor", "logits", "features", "a", "t"))
        if name is None or first is None:
            return TOP
        if name in LOGS:
            return self._log_range(first, where)
        inner = self.range(first, where, assumption)
        if name in CLIPS:
            return self._clip_range(call, inner, where)
        if name in MAXIMUMS or name in MINIMUMS:
            other = _argument(call, 1, ("y", "b"))
            if other is None:
                return TOP
            pick = max if name in MAXIMUMS else min
            second = self.range(other, where, assumption)
            return Range(pick(inner.lo, second.lo), pick(inner.hi, second.hi), inner.has_log or second.has_log)
        if name in ("pow", "power"):
            exponent = _argument(call, 1, ("y", "x2", "exponent"))
            return _power(inner, self.value(exponent, where) if exponent is not None else None)
        return _function_range(name, inner)

    def _clip_range(self, call: cst.Call, inner: Range, where: Where) -> Range:
        low = _argument(call, 1, ("min_value", "clip_value_min", "a_min", "x_min"))
        high = _argument(call, 2, ("max_value", "clip_value_max", "a_max", "x_max"))
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


KNOWN_MATH = (LOGS | SQRTS | EXPS | DIVIDES | RECIPROCALS | POWERS | CLIPS | MAXIMUMS | MINIMUMS | STRICTLY_POSITIVE
              | SELECTORS | SUMS | SAME_RANGE_REDUCTIONS | PASSTHROUGH | COUNTS
              | {"square", "abs", "absolute", "relu", "relu6", "elu", "selu", "tanh", "sin", "cos", "subtract", "add",
                 "multiply", "negative", "sign", "log1p", "log_sigmoid", "log_softmax", "logsumexp",
                 "reduce_logsumexp", "round", "floor", "ceil", "dot", "matmul", "l2_normalize", "hard_sigmoid",
                 "leaky_relu", "linear", "prod", "reduce_prod", "std", "var", "reduce_std", "reduce_variance",
                 "norm", "greater", "less", "equal", "not_equal", "greater_equal", "less_equal", "one_hot",
                 "argmax", "argmin", "categorical_crossentropy", "binary_crossentropy",
                 "sparse_categorical_crossentropy", "mean_squared_error", "divide_no_nan"})

AUGMENTED_OPERATORS = {cst.AddAssign: cst.Add, cst.SubtractAssign: cst.Subtract, cst.MultiplyAssign: cst.Multiply,
                       cst.DivideAssign: cst.Divide, cst.PowerAssign: cst.Power}


# --- expression helpers ------------------------------------------------------------------------------


NO_TAINT: frozenset[str] = frozenset()


def _union_taint(parts) -> frozenset[str]:
    result = NO_TAINT
    for part in parts:
        result = result | part
    return result


def _is_self_attribute(expr: cst.CSTNode) -> bool:
    return isinstance(expr, cst.Attribute) and isinstance(expr.value, cst.Name) and expr.value.value == "self"


def _unpack(value: cst.BaseExpression | None, path: tuple[int, ...]) -> tuple[cst.BaseExpression | None, bool]:
    """The element of `value` a tuple-unpacking target received; (value, False) when it can't be indexed."""
    for index in path:
        if isinstance(value, (cst.Tuple, cst.List)) and index < len(value.elements):
            element = value.elements[index]
            if isinstance(element, cst.StarredElement):
                return value, False
            value = element.value
        else:
            return value, False
    return value, True


def _operands(node: cst.CSTNode) -> list[cst.CSTNode]:
    """The sub-expressions an expression reads (never keyword names, attribute names or lambda bodies).

    Common node types are taken apart directly: libcst's generic `children` runs a visitor and costs
    far more than the analysis itself."""
    reader = _OPERAND_READERS.get(type(node))
    if reader is not None:
        return reader(node)
    if isinstance(node, (cst.BaseNumber, cst.BaseString, cst.Name, cst.Lambda, cst.Ellipsis)):
        return []
    return [child for child in node.children if isinstance(child, EXPRESSION_PARTS)]


def _slice_operands(element: cst.SubscriptElement) -> list[cst.CSTNode]:
    part = element.slice
    if isinstance(part, cst.Index):
        return [part.value]
    return [bound for bound in (part.lower, part.upper, part.step) if bound is not None]


_OPERAND_READERS = {
    cst.BinaryOperation: lambda node: [node.left, node.right],
    cst.BooleanOperation: lambda node: [node.left, node.right],
    cst.UnaryOperation: lambda node: [node.expression],
    cst.Comparison: lambda node: [node.left, *(target.comparator for target in node.comparisons)],
    cst.Call: lambda node: [arg.value for arg in node.args],
    cst.Arg: lambda node: [node.value],
    cst.Attribute: lambda node: [node.value],
    cst.Subscript: lambda node: [node.value, *(part for element in node.slice for part in _slice_operands(element))],
    cst.Tuple: lambda node: [element.value for element in node.elements],
    cst.List: lambda node: [element.value for element in node.elements],
    cst.Set: lambda node: [element.value for element in node.elements],
    cst.IfExp: lambda node: [node.test, node.body, node.orelse],
    cst.NamedExpr: lambda node: [node.value],
    cst.Await: lambda node: [node.expression],
    cst.StarredElement: lambda node: [node.value],
    cst.Element: lambda node: [node.value],
}
EXPRESSION_PARTS = (cst.BaseExpression, cst.BaseElement, cst.BaseDictElement, cst.SubscriptElement, cst.BaseSlice,
                    cst.ComparisonTarget, cst.CompFor, cst.CompIf, cst.FormattedStringExpression)


def _literal_number(expr: cst.CSTNode) -> float | None:
    if not isinstance(expr, (cst.Integer, cst.Float)):
        return None
    try:
        return float(ast.literal_eval(expr.value))
    except (ValueError, SyntaxError, OverflowError):
        return None


def _literal_like(expr: cst.BaseExpression) -> bool:
    """A number written in place (`1`, `-1.0`, `1. / 2`), as opposed to a named constant."""
    if isinstance(expr, (cst.Integer, cst.Float)):
        return True
    if isinstance(expr, cst.UnaryOperation):
        return _literal_like(expr.expression)
    if isinstance(expr, cst.BinaryOperation):
        return _literal_like(expr.left) and _literal_like(expr.right)
    return False


def _arithmetic(operator: cst.BaseBinaryOp, left: float | None, right: float | None) -> float | None:
    if left is None or right is None:
        return None
    try:
        if isinstance(operator, cst.Add):
            return left + right
        if isinstance(operator, cst.Subtract):
            return left - right
        if isinstance(operator, cst.Multiply):
            return left * right
        if isinstance(operator, cst.Divide):
            return left / right
        if isinstance(operator, cst.Power):
            result = left**right
            return result if isinstance(result, float) else None
    except (ZeroDivisionError, OverflowError, ValueError):
        return None
    return None


def _argument(call: cst.Call, index: int, keywords: tuple[str, ...]) -> cst.BaseExpression | None:
    """A call's argument by position or by one of its keyword names."""
    positional = [arg for arg in call.args if arg.keyword is None and not arg.star]
    if index < len(positional):
        return positional[index].value
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value in keywords:
            return arg.value
    return None


def _selected(call: cst.Call) -> tuple[cst.BaseExpression, cst.BaseExpression, cst.BaseExpression] | None:
    """(condition, if-true, if-false) of tf.where / K.switch / ops.where; None for other forms."""
    parts = (_argument(call, 0, ("condition", "cond")), _argument(call, 1, ("x", "then_expression", "x1")),
             _argument(call, 2, ("y", "else_expression", "x2")))
    return parts if all(part is not None for part in parts) else None


def _builtin_name(call: cst.Call) -> str | None:
    return call.func.value if isinstance(call.func, cst.Name) and call.func.value in ("len", "float", "int") else None


def _float_bits(dtype_text: str) -> int | None:
    text = dtype_text.lower()
    for bits in (16, 32, 64):
        if str(bits) in text:
            return bits
    if "single" in text:
        return 32
    if text in ("float", "'float'", '"float"', "np.float_", "np.double", "numpy.double", "double", "'double'"):
        return 64
    return None


def _additive_terms(expr: cst.BaseExpression, sign: int = 1) -> list[tuple[int, cst.BaseExpression]]:
    """`a - b + c` -> [(1, a), (-1, b), (1, c)]."""
    if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, (cst.Add, cst.Subtract)):
        right_sign = sign if isinstance(expr.operator, cst.Add) else -sign
        return _additive_terms(expr.left, sign) + _additive_terms(expr.right, right_sign)
    return [(sign, expr)]


def _both(first: Guard | None, second: Guard | None) -> Guard | None:
    if first is None or second is None:
        return None
    return Guard(second.text if first.text == ASSUMED.text else first.text, first.constants + second.constants)


def _maybe(source: ConstantSource | None) -> tuple[ConstantSource, ...]:
    return (source,) if source is not None else ()


# --- interval arithmetic -----------------------------------------------------------------------------


def _times(x: float, y: float) -> float:
    return 0.0 if x == 0 or y == 0 else x * y  # 0 * inf is 0 here: a zero weight cancels any term


def _multiply(a: Range, b: Range) -> Range:
    products = [_times(x, y) for x in (a.lo, a.hi) for y in (b.lo, b.hi)]
    return Range(min(products), max(products), a.has_log or b.has_log)


def _divide(a: Range, b: Range) -> Range:
    if b.lo > 0:
        return _multiply(a, Range(1 / b.hi if b.hi < math.inf else 0.0, 1 / b.lo)).with_log(b.has_log)
    return TOP.with_log(a.has_log or b.has_log)


def _add(a: Range, b: Range) -> Range:
    return Range(a.lo + b.lo, a.hi + b.hi, a.has_log or b.has_log) if not _opposite_infinities(a.lo, b.lo) and not _opposite_infinities(a.hi, b.hi) else TOP


def _subtract(a: Range, b: Range) -> Range:
    return _add(a, _negate(b))


def _negate(a: Range) -> Range:
    return Range(-a.hi, -a.lo, a.has_log)


def _opposite_infinities(x: float, y: float) -> bool:
    return math.isinf(x) and math.isinf(y) and (x > 0) != (y > 0)


def _union(a: Range, b: Range) -> Range:
    return Range(min(a.lo, b.lo), max(a.hi, b.hi), a.has_log or b.has_log)


def _sum(a: Range) -> Range:
    """The sum of one or more values in a: the sign survives, the size doesn't."""
    lo = a.lo if a.lo >= 0 else -math.inf
    hi = a.hi if a.hi <= 0 else math.inf
    return Range(lo, hi, a.has_log)


def _power(base: Range, exponent: float | None) -> Range:
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
        return _negate(a)
    return Range(0.0, max(-a.lo, a.hi), a.has_log)


def _exp(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf


def _function_range(name: str, inner: Range) -> Range:
    """The range of a one-argument tensor function applied to values in `inner`."""
    if name in SUMS:
        return _sum(inner)
    if name in SAME_RANGE_REDUCTIONS or name in PASSTHROUGH or name == "stop_gradient":
        return inner
    if name in ("abs", "absolute"):
        return _abs(inner)
    if name == "square":
        return _power(inner, 2.0)
    if name in ("relu", "relu6"):
        return Range(max(inner.lo, 0.0), max(inner.hi, 0.0), inner.has_log)
    if name in ("sqrt",):
        return Range(math.sqrt(max(inner.lo, 0.0)), math.sqrt(inner.hi) if inner.hi >= 0 else 0.0, inner.has_log)
    if name == "exp":
        return Range(_exp(inner.lo) if inner.lo > -math.inf else 0.0, _exp(inner.hi), inner.has_log)
    if name in ("sigmoid", "softmax", "hard_sigmoid"):
        return Range(0.0, 1.0)
    if name in ("tanh", "sin", "cos"):
        return Range(-1.0, 1.0)
    if name == "softplus":
        return Range(0.0, inner.hi + math.log(2) if inner.hi < math.inf else math.inf)
    if name in ("log_sigmoid", "log_softmax"):
        return Range(-math.inf, 0.0)
    if name in ("negative",):
        return _negate(inner)
    if name in ("ones_like", "ones"):
        return Range(1.0, 1.0)
    if name in ("zeros_like", "zeros"):
        return Range(0.0, 0.0)
    return TOP


# --- the ops inside a function body ------------------------------------------------------------------


def _is_op_node(node: cst.CSTNode) -> bool:
    """Calls, divisions and powers, and their augmented assignments: where numeric ops can be."""
    kind = type(node)
    if kind is cst.Call:
        return True
    if kind is cst.BinaryOperation:
        return type(node.operator) in (cst.Divide, cst.Power)
    return kind is cst.AugAssign and type(node.operator) in (cst.DivideAssign, cst.PowerAssign)


def _inside(position: Position, span: Span) -> bool:
    return (span.line, span.col) <= position < (span.end_line, span.end_col)


@dataclass(frozen=True)
class _Op:
    kind: str
    operand: cst.BaseExpression
    node: cst.CSTNode
    numerator: cst.BaseExpression | None = None  # for divisions


def _classify(evaluator: Evaluator, node: cst.CSTNode, where: Where) -> _Op | None:
    if isinstance(node, cst.Call):
        return _classify_call(evaluator, node, where)
    if isinstance(node, cst.BinaryOperation):
        if isinstance(node.operator, cst.Divide):
            return _Op("divide", node.right, node, node.left)
        return _power_op(evaluator, node, node.left, node.right, where)
    if isinstance(node, cst.AugAssign):
        if isinstance(node.operator, cst.DivideAssign):
            return _Op("divide", node.value, node, node.target)
        return _power_op(evaluator, node, node.target, node.value, where)
    return None


def _classify_call(evaluator: Evaluator, call: cst.Call, where: Where) -> _Op | None:
    name = evaluator.math_name(call)
    if name is None:
        return None
    first = _argument(call, 0, ("x", "a", "input", "x1"))
    if name in DIVIDES:
        denominator = _argument(call, 1, ("y", "x2", "b"))
        return _Op("divide", denominator, call, first) if denominator is not None else None
    if first is None:
        return None
    if name in LOGS:
        return _Op("log", first, call)
    if name in SQRTS:
        # sqrt's hazard is its infinite slope at 0: NumPy and math compute no gradients
        return None if (evaluator.ctx.callee(call) or "").startswith(("numpy.", "math.")) else _Op("sqrt", first, call)
    if name in EXPS:
        return _Op("exp", first, call)
    if name in RECIPROCALS:
        return _Op("divide", first, call)
    if name in POWERS:
        exponent = _argument(call, 1, ("y", "x2", "b", "exponent"))
        return _power_op(evaluator, call, first, exponent, where) if exponent is not None else None
    return None


def _power_op(evaluator: Evaluator, node, base, exponent, where: Where) -> _Op | None:
    """x ** k: a negative power (k < 0) or a root-like one (0 < k < 1, infinite slope at 0)."""
    k = evaluator.value(exponent, where)
    if k is None:
        return None
    if k < 0:
        return _Op("power", base, node)
    if 0 < k < 1:
        return _Op("sqrt", base, node)
    return None


# --- which functions are losses and metrics ---------------------------------------------------------


@dataclass
class _Candidate:
    function: cst.FunctionDef
    role: str
    sources: dict[str, str]
    explicit: bool = False  # the role came from compile() or a Loss/Metric base class
    component: bool = False  # called from another loss or metric: its value is a part, not the loss


def _positional_params(function: Function) -> list[cst.Param]:
    params = [*function.params.posonly_params, *function.params.params]
    if params and params[0].name.value in ("self", "cls"):
        params = params[1:]
    return params


def _parameter_kind(name: str) -> str | None:
    lowered = name.lower()
    if lowered in TARGET_PARAMS:
        return "target"
    if lowered == "p" or any(hint in lowered for hint in PREDICTION_HINTS):
        return "prediction"
    return None


def _pair_sources(function: Function) -> dict[str, str] | None:
    """{y_true: "target", y_pred: "prediction"} for a (y_true, y_pred)-style signature, else None."""
    params = _positional_params(function)
    if len(params) < 2:
        return None
    first, second = params[0].name.value, params[1].name.value
    kinds = (_parameter_kind(first), _parameter_kind(second))
    if set(kinds) == {"target", "prediction"}:
        return {first: kinds[0], second: kinds[1]}
    return None


def _default_sources(function: cst.FunctionDef) -> dict[str, str]:
    """A function compile() uses takes (y_true, y_pred) whatever it calls them."""
    pair = _pair_sources(function)
    if pair:
        return pair
    params = _positional_params(function)
    return {param.name.value: kind for param, kind in zip(params, ("target", "prediction"))}


class ModuleAnalysis:
    """Finds the custom losses and metrics of a module and analyzes each."""

    def __init__(self, ctx: ModuleContext) -> None:
        self.ctx = ctx
        self._evaluators: dict[tuple[int, tuple], Evaluator] = {}
        self._return_ranges: dict[tuple[int, str], Range] = {}
        self._in_progress: set[int] = set()
        self._methods: dict[cst.ClassDef, list[cst.FunctionDef]] = {}
        self._passed: dict[int, tuple[cst.BaseExpression, Where] | None] = {}
        self._ends: dict[int, tuple[list[Position], bool]] = {}
        self._math_names: dict[int, str | None] = {}
        self._op_index: tuple[list[Position], list[cst.CSTNode]] | None = None
        self.depth = 0  # recursion depth of the Evaluators' analyses, shared so helper calls count too

    # --- shared services -----------------------------------------------------------------------------
    def evaluator(self, function: cst.FunctionDef, sources: dict[str, str]) -> Evaluator:
        key = (id(function), tuple(sorted(sources.items())))
        if key not in self._evaluators:
            self._evaluators[key] = Evaluator(self, function, sources)
        return self._evaluators[key]

    def method_containing(self, owner: cst.ClassDef, position: Position) -> cst.FunctionDef | None:
        if owner not in self._methods:
            self._methods[owner] = [f for f, c in self.ctx.tables.function_class.items() if c is owner]
        for method in self._methods[owner]:
            span = self.ctx.span(method)
            if (span.line, span.col) <= position <= (span.end_line, span.end_col):
                return method
        return None

    def math_name(self, call: cst.Call) -> str | None:
        key = id(call)
        if key not in self._math_names:
            name = self.ctx.callee(call)
            namespace, _, last = (name or "").rpartition(".")
            self._math_names[key] = last if namespace in MATH_NAMESPACES else None
        return self._math_names[key]

    def binding_ends(self, bindings: list[Binding]) -> tuple[list[Position], bool]:
        """Where each binding of a list takes effect (the end of its statement), and whether those
        positions are in order (they are, unless walrus targets nest)."""
        key = id(bindings)
        if key not in self._ends:
            ends = [(span.end_line, span.end_col) for span in map(self.ctx.span, (b.node for b in bindings))]
            self._ends[key] = (ends, ends == sorted(ends))
        return self._ends[key]

    def op_nodes(self, function: cst.FunctionDef) -> list[cst.CSTNode]:
        """The calls, divisions and powers of one function body, in source order, leaving out nested
        functions, classes and lambdas (analyzed on their own, or not at all)."""
        if self._op_index is None:
            found = sorted((((span[0], span[1]), node) for node, span in self.ctx.ranges.items() if _is_op_node(node)),
                           key=lambda item: item[0])
            self._op_index = ([start for start, _ in found], [node for _, node in found])
        starts, nodes = self._op_index
        body = self.ctx.span(function.body)
        low, high = bisect_left(starts, (body.line, body.col)), bisect_right(starts, (body.end_line, body.end_col))
        nested = self._nested_spans(function)
        return [node for start, node in zip(starts[low:high], nodes[low:high])
                if not any(_inside(start, span) for span in nested)]

    def _nested_spans(self, function: cst.FunctionDef) -> list[Span]:
        body = self.ctx.span(function.body)
        inner = [f for f, scope in self.ctx.tables.function_scope.items() if scope is function]
        spans = [self.ctx.span(node) for node in [*inner, *self.ctx.tables.lambdas]]
        return [span for span in spans if _inside((span.line, span.col), body)]

    def argument_passed(self, parameter: Binding) -> tuple[cst.BaseExpression, Where] | None:
        """The argument given for a factory's (or a Loss class's __init__'s) parameter where the
        module calls it: at its one call site, or at several that all pass the same text."""
        key = id(parameter.node)
        if key not in self._passed:
            self._passed[key] = self._find_argument_passed(parameter)
        return self._passed[key]

    def _find_argument_passed(self, parameter: Binding) -> tuple[cst.BaseExpression, Where] | None:
        function = parameter.param_of
        passed = []
        for site in self._call_sites(function):
            argument = self._argument_for(site.call, function, parameter.name)
            if argument is not None:
                passed.append((argument, (site.scope, site.position)))
        if not passed or len({self.ctx.text(argument) for argument, _ in passed}) != 1:
            return None
        return passed[0]

    def _call_sites(self, function: cst.FunctionDef) -> list:
        owner = self.ctx.tables.function_class.get(function)
        if owner is None:
            name = function.name.value
        elif function.name.value == "__init__":
            name = owner.name.value
        else:
            return []
        return [site for site in self.ctx.calls_named(name) if isinstance(site.call.func, cst.Name)]

    @staticmethod
    def _argument_for(call: cst.Call, function: cst.FunctionDef, parameter: str) -> cst.BaseExpression | None:
        if any(arg.star for arg in call.args):
            return None
        names = [param.name.value for param in _positional_params(function)]
        index = names.index(parameter) if parameter in names else len(call.args)
        return _argument(call, index, (parameter,))

    def return_range(self, call: cst.Call, assumption: str) -> Range:
        """The range of what a helper function returns (analyzed on its own), for a call to it."""
        definitions = self.ctx.tables.functions.get(call.func.value, []) if isinstance(call.func, cst.Name) else []
        if len(definitions) != 1:
            return TOP
        function = definitions[0]
        key = (id(function), assumption)
        if key in self._return_ranges:
            return self._return_ranges[key]
        if id(function) in self._in_progress:
            return TOP  # recursion
        self._in_progress.add(id(function))
        try:
            result = self._returns_range(function, assumption)
        finally:
            self._in_progress.discard(id(function))
        self._return_ranges[key] = result
        return result

    def _returns_range(self, function: cst.FunctionDef, assumption: str) -> Range:
        evaluator = self.evaluator(function, _pair_sources(function) or {})
        ranges = [evaluator.range(r.value, evaluator.where(r), assumption)
                  for r in self.ctx.tables.returns.get(function, []) if r.value is not None]
        if not ranges:
            return TOP
        result = ranges[0]
        for other in ranges[1:]:
            result = _union(result, other)
        return result

    # --- discovery -----------------------------------------------------------------------------------
    def candidates(self, roles: dict[cst.FunctionDef, str]) -> list[_Candidate]:
        found: dict[cst.FunctionDef, _Candidate] = {}
        for function, role in roles.items():
            self._add_compiled(found, function, role)
        for definitions in self.ctx.tables.functions.values():
            for function in definitions:
                if function not in found:
                    self._add_by_signature(found, function)
        for function in self.ctx.tables.lambdas:
            sources = _pair_sources(function)
            if sources is not None:
                found[function] = _Candidate(function, "loss-like", sources)
        self._add_helpers(found)
        return sorted(found.values(), key=lambda c: (self.ctx.span(c.function).line, self.ctx.span(c.function).col))

    def _add_compiled(self, found: dict, function: cst.FunctionDef, role: str) -> None:
        inner = self.returned_inner_functions(function)
        targets = inner if inner and _pair_sources(function) is None else [function]
        for target in targets:
            found[target] = _Candidate(target, role, _default_sources(target), explicit=True)

    def _add_by_signature(self, found: dict, function: cst.FunctionDef) -> None:
        sources = _pair_sources(function)
        if sources is None and self._returned_by_loss_factory(function):
            sources = _default_sources(function) if len(_positional_params(function)) >= 2 else None
        if sources is None:
            return
        role = self._class_role(function)
        found[function] = _Candidate(function, role or "loss-like", sources, explicit=role is not None)

    def returned_inner_functions(self, function: cst.FunctionDef) -> list[cst.FunctionDef]:
        """The inner functions a factory (`def dice_loss(smooth=1): def loss(...): ...; return loss`) returns."""
        returned = {r.value.value for r in self.ctx.tables.returns.get(function, []) if isinstance(r.value, cst.Name)}
        return [inner for name in returned for inner in self.ctx.tables.functions.get(name, [])
                if self.ctx.tables.function_scope.get(inner) is function]

    def _returned_by_loss_factory(self, function: cst.FunctionDef) -> bool:
        outer = self.ctx.tables.function_scope.get(function)
        if not isinstance(outer, cst.FunctionDef) or function not in self.returned_inner_functions(outer):
            return False
        names = (outer.name.value + " " + function.name.value).lower()
        return any(word in names for word in ("loss", "metric", "coef", "dice", "jaccard", "iou", "focal", "entropy"))

    def _class_role(self, function: cst.FunctionDef) -> str | None:
        owner = self.ctx.tables.function_class.get(function)
        if owner is None:
            return None
        bases = [dotted(base.value) or "" for base in owner.bases]
        method = function.name.value
        if any(base.split(".")[-1] in LOSS_BASES for base in bases) and method in ("call", "__call__"):
            return "loss"
        if any(base.split(".")[-1] in METRIC_BASES for base in bases) and method in ("update_state", "call", "__call__"):
            return "metric"
        return None

    def _add_helpers(self, found: dict[cst.FunctionDef, _Candidate]) -> None:
        """Functions a loss or metric calls are analyzed with the caller's role and taint."""
        pending = list(found.values())
        while pending:
            caller = pending.pop()
            for helper, sources in self._called_helpers(caller):
                if self._merge_helper(found, caller, helper, sources):
                    pending.append(found[helper])

    def _merge_helper(self, found: dict, caller: _Candidate, helper: cst.FunctionDef, sources: dict[str, str]) -> bool:
        existing = found.get(helper)
        if existing is None:
            found[helper] = _Candidate(helper, caller.role, sources, component=True)
            return True
        existing.component = True
        if not existing.explicit and existing.role == "loss-like" and caller.role != "loss-like":
            existing.role = caller.role
            return True
        return False

    def _called_helpers(self, caller: _Candidate) -> Iterator[tuple[cst.FunctionDef, dict[str, str]]]:
        evaluator = self.evaluator(caller.function, caller.sources)
        for site in self.ctx.tables.calls:
            if site.scope is not evaluator.scope or not self._calls_from(site, caller.function):
                continue
            for helper in self._callee_definitions(site.call, evaluator.scope):
                sources = self._helper_sources(evaluator, site.call, helper)
                if sources:
                    yield helper, sources

    def _calls_from(self, site, function: Function) -> bool:
        return not isinstance(function, cst.Lambda) or _inside(site.position, self.ctx.span(function))

    def _callee_definitions(self, call: cst.Call, caller: Scope) -> list[cst.FunctionDef]:
        if isinstance(call.func, cst.Name) and self.ctx.qualify(call.func) is None:
            visible = self._enclosing_scopes(caller)
            return [f for f in self.ctx.tables.functions.get(call.func.value, [])
                    if f is not caller and self.ctx.tables.function_scope.get(f) in visible
                    and f not in self.ctx.tables.function_class]
        if _is_self_attribute(call.func):
            owner = self.ctx.tables.function_class.get(caller)
            return [f for f in self.ctx.tables.functions.get(call.func.attr.value, [])
                    if f is not caller and owner is not None and self.ctx.tables.function_class.get(f) is owner]
        return []

    def _enclosing_scopes(self, function: Scope) -> list[Scope]:
        scopes: list[Scope] = [function]
        scope: Scope = function
        while scope is not None:
            scope = self.ctx.tables.function_scope.get(scope)
            scopes.append(scope)
        return scopes

    def _helper_sources(self, evaluator: Evaluator, call: cst.Call, helper: cst.FunctionDef) -> dict[str, str]:
        params = _positional_params(helper)
        by_name = {p.name.value for p in [*params, *helper.params.kwonly_params]}
        where = evaluator.where(call)
        sources: dict[str, str] = {}
        positional = [arg for arg in call.args if arg.keyword is None]
        for index, arg in enumerate(positional):
            if arg.star or index >= len(params):
                break
            kind = evaluator.source_kind(arg.value, where)
            if kind:
                sources[params[index].name.value] = kind
        for arg in call.args:
            if arg.keyword is not None and arg.keyword.value in by_name:
                kind = evaluator.source_kind(arg.value, where)
                if kind:
                    sources[arg.keyword.value] = kind
        return sources

    # --- analysis ------------------------------------------------------------------------------------
    def analyze(self, candidate: _Candidate) -> CustomFunction:
        function = candidate.function
        evaluator = self.evaluator(function, candidate.sources)
        name = self.display_name(function)
        ops, constants = self._numeric_ops(evaluator, name)
        anchor = function if isinstance(function, cst.Lambda) else function.name
        result = CustomFunction(name=name, span=self.ctx.span(anchor), role=candidate.role,
                                numeric_ops=ops, small_constants=constants)
        if self._is_final_loss(candidate):
            result.unnegated_log_likelihood = self._unnegated_return(evaluator, name)
        return result

    def display_name(self, function: Function) -> str:
        if isinstance(function, cst.Lambda):
            return self._lambda_name(function)
        parts = [function.name.value]
        scope: Scope = function
        while isinstance(scope, cst.FunctionDef):
            owner = self.ctx.tables.function_class.get(scope)
            if owner is not None:
                parts.append(owner.name.value)
            scope = self.ctx.tables.function_scope.get(scope)
            if isinstance(scope, cst.FunctionDef):
                parts.append(scope.name.value)
        return ".".join(reversed(parts))

    def _lambda_name(self, function: cst.Lambda) -> str:
        """`focal = lambda y_true, y_pred: ...` is "focal"; an unnamed one is "<lambda>"."""
        for bindings in self.ctx.tables.bindings.get(self.scope_of(function), {}).values():
            for binding in bindings:
                if binding.value is function:
                    return binding.name
        return "<lambda>"

    def scope_of(self, node: cst.CSTNode) -> Scope:
        """The innermost function around a node (None: the module)."""
        start = self.ctx.span(node)
        position = (start.line, start.col)
        around = [f for f in self.ctx.tables.function_scope if _inside(position, self.ctx.span(f.body))]
        return max(around, key=lambda f: (self.ctx.span(f).line, self.ctx.span(f).col), default=None)

    def _numeric_ops(self, evaluator: Evaluator, name: str) -> tuple[list[NumericOp], list[SmallConstant]]:
        nodes = self.op_nodes(evaluator.function)
        classified = []
        for node in nodes:
            where = evaluator.where(node)
            op = _classify(evaluator, node, where)
            if op is not None:
                classified.append((op, where))
        idioms = self._idioms(evaluator, classified)
        ops, constants = [], {}
        for call, source in self._bound_constants(evaluator, nodes):
            constants.setdefault(source.span, _small_constant(source, name, self.ctx.text(call)))
        for op, where in classified:
            numeric, guard = self._numeric_op(evaluator, op, where, name, idioms.get(id(op.node)))
            ops.append(numeric)
            if numeric.depends_on_prediction and guard is not None:
                for source in guard.constants:
                    constants.setdefault(source.span, _small_constant(source, name, numeric.text))
        return ops, sorted(constants.values(), key=lambda c: (c.span.line, c.span.col))

    def _bound_constants(self, evaluator: Evaluator, nodes: list[cst.CSTNode]) -> Iterator[tuple[cst.Call, ConstantSource]]:
        """The constants of clips and maximums applied to input-derived values: the floor (1e-15 in
        K.clip(y_pred, 1e-15, 1 - 1e-15)) keeps a later log or ratio finite, and the eps of a `1 - eps`
        ceiling keeps log(1 - p) finite. The ceiling comes first: its failure is the worse one."""
        for node in nodes:
            if not isinstance(node, cst.Call):
                continue
            where = evaluator.where(node)
            name = evaluator.math_name(node)
            first = _argument(node, 0, ("x", "t"))
            if name in CLIPS and first is not None and evaluator.tainted(first, where):
                ceiling = evaluator.ceiling_constant(node, where)
                if ceiling is not None:
                    yield node, ceiling
                guard = evaluator.clip_floor_guard(node, where)
            elif name in MAXIMUMS and any(evaluator.tainted(arg.value, where) for arg in node.args[:2]):
                guard = evaluator.maximum_guard(node, where)
            else:
                continue
            for source in guard.constants if guard is not None else ():
                yield node, source

    def _numeric_op(self, evaluator: Evaluator, op: _Op, where: Where, name: str, idiom: str | None) -> tuple[NumericOp, Guard | None]:
        depends = evaluator.tainted(op.operand, where)
        if op.kind == "exp":
            guard = evaluator.exp_guard(op.operand, where)
        elif op.kind == "divide" and self._normalizes(evaluator, op):
            guard = Guard("normalization by its own sum")
        else:
            guard = evaluator.positive(op.operand, where)
        numeric = NumericOp(kind=op.kind, text=self.ctx.text(op.node), span=self.ctx.span(op.node), function=name,
                            depends_on_prediction=depends, guard=guard.text if guard else None,
                            operand_text=self.ctx.text(op.operand), idiom=idiom)
        return numeric, guard

    def _normalizes(self, evaluator: Evaluator, op: _Op) -> bool:
        """`y_pred / K.sum(y_pred, axis=-1, keepdims=True)`: the sum is 0 only if every entry is, which
        a probability output never is (a relu output feeding a crossentropy is activation-loss's case)."""
        denominator = op.operand
        if op.numerator is None or not isinstance(denominator, cst.Call) or evaluator.math_name(denominator) not in SUMS:
            return False
        summed = _argument(denominator, 0, ("x", "input_tensor"))
        return summed is not None and self.ctx.text(summed) == self.ctx.text(op.numerator)

    def _idioms(self, evaluator: Evaluator, classified: list[tuple[_Op, Where]]) -> dict[int, str]:
        """exp calls that are part of log(1 + exp(x)) ("softplus") or log(sum(exp(x))) ("logsumexp")."""
        found: dict[int, str] = {}
        for op, where in classified:
            if op.kind != "log":
                continue
            for term, idiom in self._log_idiom_terms(evaluator, op.operand, where):
                found[id(term)] = idiom
        return found

    def _log_idiom_terms(self, evaluator: Evaluator, argument: cst.BaseExpression, where: Where):
        if isinstance(argument, cst.Call) and evaluator.math_name(argument) in SUMS:
            inner = _argument(argument, 0, ("x", "input_tensor"))
            if isinstance(inner, cst.Call) and evaluator.math_name(inner) in EXPS:
                yield inner, "logsumexp"
            return
        terms = _additive_terms(argument)
        if len(terms) != 2 or any(sign < 0 for sign, _ in terms):
            return
        for sign, term in terms:
            others = [t for _, t in terms if t is not term]
            if (isinstance(term, cst.Call) and evaluator.math_name(term) == "exp"
                    and evaluator.value(others[0], where) == 1.0):
                yield term, "softplus"

    def _is_final_loss(self, candidate: _Candidate) -> bool:
        if candidate.component or candidate.role not in ("loss", "loss-like"):
            return False
        name = self.display_name(candidate.function).lower()
        explicit_likelihood = any(word in name for word in LIKELIHOOD_NAMES) and "neg" not in name and "loss" not in name
        return candidate.role == "loss" or not explicit_likelihood

    def _unnegated_return(self, evaluator: Evaluator, name: str) -> LogLikelihoodReturn | None:
        for statement, value in self._returned_values(evaluator.function):
            value_range = evaluator.range(value, evaluator.where(statement), "likelihood")
            if value_range.has_log and value_range.hi <= 0 and value_range.lo < 0:
                return LogLikelihoodReturn(function=name, text=self.ctx.text(value), span=self.ctx.span(statement))
        return None

    def _returned_values(self, function: Function) -> list[tuple[cst.CSTNode, cst.BaseExpression]]:
        if isinstance(function, cst.Lambda):
            return [(function.body, function.body)]
        return [(r, r.value) for r in self.ctx.tables.returns.get(function, []) if r.value is not None]


def _small_constant(source: ConstantSource, function: str, use: str) -> SmallConstant:
    return SmallConstant(source.value, source.text, source.span, function, use, how=source.how)


def custom_functions(ctx: ModuleContext, roles: dict[cst.FunctionDef, str]) -> list[CustomFunction]:
    """Every custom loss and metric of the module, with the numeric hazards inside it.

    `roles` maps the functions compile() uses to "loss" or "metric". Also found: (y_true, y_pred)-style
    functions ("loss-like"), `call` of Loss subclasses, inner functions returned by loss factories, and
    functions called from any of these (analyzed with the caller's role and taint).
    """
    analysis = ModuleAnalysis(ctx)
    return [analysis.analyze(candidate) for candidate in analysis.candidates(roles)]
