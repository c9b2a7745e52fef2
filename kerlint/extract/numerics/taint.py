"""Taint: which of a loss's inputs (y_true / y_pred, or a helper's parameters that received them) an
expression is computed from. Shapes, sizes and lengths of the inputs are counts, not values, and stay
untainted."""

from __future__ import annotations

import libcst as cst

from kerlint.extract.numerics.memo import analysis
from kerlint.extract.numerics.resolution import Where
from kerlint.extract.numerics.syntax import builtin_name, is_self_attribute, operands
from kerlint.extract.numerics.vocabulary import COUNTS, SHAPE_ATTRIBUTES, TENSOR_PACKAGES

NO_TAINT: frozenset[str] = frozenset()


def _union_taint(parts) -> frozenset[str]:
    result = NO_TAINT
    for part in parts:
        result = result | part
    return result


class Taint:
    """The Evaluator's taint analysis."""

    def tainted(self, expr: cst.CSTNode, where: Where) -> bool:
        return bool(self.taint(expr, where))

    @analysis(NO_TAINT)
    def taint(self, expr: cst.CSTNode, where: Where) -> frozenset[str]:
        """The kinds of input ("target", "prediction", "derived") an expression is computed from."""
        resolved = self.resolve(expr, where) if isinstance(expr, (cst.Name, cst.Attribute)) else None
        if resolved is not None:
            if resolved.source is not None:
                return frozenset((resolved.source,))
            return self.taint(resolved.value, resolved.where) if resolved.value is not None else NO_TAINT
        if isinstance(expr, cst.Name) or is_self_attribute(expr):
            return NO_TAINT
        if isinstance(expr, cst.Attribute):
            return NO_TAINT if expr.attr.value in SHAPE_ATTRIBUTES else self.taint(expr.value, where)
        if isinstance(expr, cst.Call):
            return self._call_taint(expr, where)
        return _union_taint(self.taint(child, where) for child in operands(expr))

    def _call_taint(self, call: cst.Call, where: Where) -> frozenset[str]:
        name = self.math_name(call) or builtin_name(call)
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
