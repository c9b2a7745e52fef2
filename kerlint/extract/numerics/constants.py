"""Constant values: what a constant expression is worth (literals, names bound to them, K.epsilon(),
np.finfo(..).eps), and where a positive constant is defined, for the small smoothing constants a
guard relies on."""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from kerlint.diagnostic import Span
from kerlint.extract.collect import Binding
from kerlint.extract.numerics.memo import analysis
from kerlint.extract.numerics.resolution import Resolution
from kerlint.extract.numerics.syntax import Where, arithmetic, builtin_name, call_argument, float_bits, literal_number
from kerlint.extract.numerics.vocabulary import FINFO_CONSTANTS, KERAS_DEFAULT_EPSILON, KERAS_EPSILONS, PYTHON_EPSILONS

CASTS = ("float", "cast", "constant", "cast_to_floatx", "float32", "float64", "convert_to_tensor", "array")


@dataclass(frozen=True)
class ConstantSource:
    """A positive constant some guard relies on, and where it is defined."""

    value: float
    text: str
    span: Span
    how: str = "added"  # "added", or the lower bound of a "clip" / "maximum"


class Constants:
    """Constant values of one function's expressions and their definitions, on its resolution."""

    def __init__(self, resolution: Resolution) -> None:
        self.module, self.ctx, self.memo = resolution.module, resolution.ctx, resolution.memo
        self.resolve, self.math_name = resolution.resolve, resolution.math_name

    @analysis(None)
    def value(self, expr: cst.BaseExpression, where: Where) -> float | None:
        """The numeric value of a constant expression (literals, names bound to them, K.epsilon())."""
        literal = literal_number(expr)
        if literal is not None:
            return literal
        if isinstance(expr, (cst.Name, cst.Attribute)):
            fixed = self.fixed_epsilon(expr)
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
            return arithmetic(expr.operator, self.value(expr.left, where), self.value(expr.right, where))
        if isinstance(expr, cst.Call):
            return self._call_value(expr, where)
        return None

    def _call_value(self, call: cst.Call, where: Where) -> float | None:
        if self.is_keras_epsilon(call):
            return KERAS_DEFAULT_EPSILON
        name = self.math_name(call) or builtin_name(call)
        if name in CASTS:
            first = call_argument(call, 0, ("x", "value"))
            return self.value(first, where) if first is not None else None
        return None

    # --- machine epsilons ----------------------------------------------------------------------------
    def fixed_epsilon(self, expr: cst.BaseExpression) -> float | None:
        """np.finfo(np.float32).eps, sys.float_info.epsilon: machine constants with known values."""
        name = self.ctx.qualify(expr)
        if name in PYTHON_EPSILONS:
            return PYTHON_EPSILONS[name]
        call = self._finfo_call(expr)
        if call is None or not call.args:
            return None
        bits = float_bits(self.ctx.text(call.args[0].value))
        return FINFO_CONSTANTS[expr.attr.value].get(bits) if bits else None

    def is_epsilon_expression(self, expr: cst.BaseExpression) -> bool:
        """K.epsilon(), keras.config.epsilon(), np.finfo(...).eps: machine epsilons, by name."""
        if isinstance(expr, cst.Call):
            return self.is_keras_epsilon(expr)
        if isinstance(expr, cst.Attribute) and expr.attr.value in FINFO_CONSTANTS:
            return self._finfo_call(expr) is not None
        return self.ctx.qualify(expr) in PYTHON_EPSILONS

    def is_keras_epsilon(self, expr: cst.BaseExpression | None) -> bool:
        return isinstance(expr, cst.Call) and self.ctx.callee(expr) in KERAS_EPSILONS

    def _finfo_call(self, expr: cst.BaseExpression) -> cst.Call | None:
        """The `np.finfo(dtype)` of `np.finfo(dtype).eps` (or `.tiny`)."""
        if not (isinstance(expr, cst.Attribute) and expr.attr.value in FINFO_CONSTANTS):
            return None
        call = expr.value
        return call if isinstance(call, cst.Call) and (self.ctx.callee(call) or "").endswith("numpy.finfo") else None

    # --- where a constant is defined -----------------------------------------------------------------
    def constant_source(self, expr: cst.BaseExpression, where: Where, how: str = "added", depth: int = 0) -> ConstantSource | None:
        """Where the positive constant `expr` is defined: the line a user would change. None for
        K.epsilon() (configured elsewhere) and for values that are not constants."""
        value = self.value(expr, where)
        if value is None or value <= 0 or depth > 8 or self.is_keras_epsilon(expr):
            return None
        resolved = self.resolve(expr, where) if isinstance(expr, (cst.Name, cst.Attribute)) else None
        if resolved is None or resolved.value is None:
            return ConstantSource(value, self.ctx.text(expr), self.ctx.span(expr), how)
        if resolved.binding is None or isinstance(resolved.value, (cst.Name, cst.Attribute)):
            return self.constant_source(resolved.value, resolved.where, how, depth + 1)
        if self.is_keras_epsilon(resolved.value):
            return None
        return self._binding_source(resolved.binding, value, how)

    def _binding_source(self, binding: Binding, value: float, how: str) -> ConstantSource:
        node = binding.node
        if isinstance(node, cst.Param) and node.default is not None:
            start, end = self.ctx.span(node.name), self.ctx.span(node.default)
            text = self.ctx.module.code_for_node(node).strip().rstrip(",").strip()
            return ConstantSource(value, text, Span(start.line, start.col, end.end_line, end.end_col), how)
        return ConstantSource(value, self.ctx.text(node), self.ctx.span(node), how)
