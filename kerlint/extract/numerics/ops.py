"""The numeric ops of a function body: logs, divisions (and reciprocals), square roots (and roots as
powers), negative powers and exps, each with the operand that must stay in its safe domain."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass

import libcst as cst

from kerlint.diagnostic import Span
from kerlint.extract.collect import ModuleContext
from kerlint.extract.numerics.evaluator import Evaluator
from kerlint.extract.numerics.resolution import Where
from kerlint.extract.numerics.syntax import Position, call_argument, inside
from kerlint.extract.numerics.vocabulary import DIVIDES, EXPS, LOGS, POWERS, RECIPROCALS, SQRTS


@dataclass(frozen=True)
class Op:
    kind: str
    operand: cst.BaseExpression
    node: cst.CSTNode
    numerator: cst.BaseExpression | None = None  # for divisions


class OpIndex:
    """Where numeric ops can be in a module, indexed by position once for all its functions."""

    def __init__(self, ctx: ModuleContext) -> None:
        self.ctx = ctx
        self._index: tuple[list[Position], list[cst.CSTNode]] | None = None
        self._products: list | None = None

    def in_function(self, function: cst.FunctionDef) -> list[cst.CSTNode]:
        """The calls, divisions and powers of one function body, in source order, leaving out nested
        functions, classes and lambdas (analyzed on their own, or not at all)."""
        if self._index is None:
            # by start, and where two start together the inner one (visited later) first
            spans = [self.ctx.span(node) for node in self.ctx.tables.op_nodes]
            found = sorted((((span.line, span.col), (span.end_line, span.end_col, -index), node)
                            for index, (span, node) in enumerate(zip(spans, self.ctx.tables.op_nodes))),
                           key=lambda item: item[:2])
            self._index = ([start for start, _, _ in found], [node for _, _, node in found])
        starts, nodes = self._index
        body = self.ctx.span(function.body)
        low, high = bisect_left(starts, (body.line, body.col)), bisect_right(starts, (body.end_line, body.end_col))
        nested = self._nested_spans(function)
        return [node for start, node in zip(starts[low:high], nodes[low:high])
                if not any(inside(start, span) for span in nested)]

    def products_in(self, scope) -> list[cst.BinaryOperation]:
        """The multiplications written in a function body (the module for None)."""
        if self._products is None:
            self._products = [((span.line, span.col), node)
                              for span, node in zip(map(self.ctx.span, self.ctx.tables.products), self.ctx.tables.products)]
        if scope is None:
            return [node for _, node in self._products]
        body = self.ctx.span(scope.body)
        return [node for start, node in self._products if inside(start, body)]

    def _nested_spans(self, function: cst.FunctionDef) -> list[Span]:
        body = self.ctx.span(function.body)
        inner = [f for f, scope in self.ctx.tables.function_scope.items() if scope is function]
        spans = [self.ctx.span(node) for node in [*inner, *self.ctx.tables.lambdas]]
        return [span for span in spans if inside((span.line, span.col), body)]


def is_op_node(node: cst.CSTNode) -> bool:
    """Calls, divisions and powers, and their augmented assignments: where numeric ops can be."""
    kind = type(node)
    if kind is cst.Call:
        return True
    if kind is cst.BinaryOperation:
        return type(node.operator) in (cst.Divide, cst.Power)
    return kind is cst.AugAssign and type(node.operator) in (cst.DivideAssign, cst.PowerAssign)


def classify(evaluator: Evaluator, node: cst.CSTNode, where: Where) -> Op | None:
    """The numeric op a call, division or power is, if any."""
    if isinstance(node, cst.Call):
        return _classify_call(evaluator, node, where)
    if isinstance(node, cst.BinaryOperation):
        if isinstance(node.operator, cst.Divide):
            return Op("divide", node.right, node, node.left)
        return _power_op(evaluator, node, node.left, node.right, where)
    if isinstance(node, cst.AugAssign):
        if isinstance(node.operator, cst.DivideAssign):
            return Op("divide", node.value, node, node.target)
        return _power_op(evaluator, node, node.target, node.value, where)
    return None


def _classify_call(evaluator: Evaluator, call: cst.Call, where: Where) -> Op | None:
    name = evaluator.math_name(call)
    if name is None:
        return None
    first = call_argument(call, 0, ("x", "a", "input", "x1"))
    if name in DIVIDES:
        denominator = call_argument(call, 1, ("y", "x2", "b"))
        return Op("divide", denominator, call, first) if denominator is not None else None
    if first is None:
        return None
    if name in LOGS:
        return Op("log", first, call)
    if name in SQRTS:
        # sqrt's hazard is its infinite slope at 0: NumPy and math compute no gradients
        return None if (evaluator.ctx.callee(call) or "").startswith(("numpy.", "math.")) else Op("sqrt", first, call)
    if name in EXPS:
        return Op("exp", first, call)
    if name in RECIPROCALS:
        return Op("divide", first, call)
    if name in POWERS:
        exponent = call_argument(call, 1, ("y", "x2", "b", "exponent"))
        return _power_op(evaluator, call, first, exponent, where) if exponent is not None else None
    return None


def _power_op(evaluator: Evaluator, node, base, exponent, where: Where) -> Op | None:
    """x ** k: a negative power (k < 0) or a root-like one (0 < k < 1, infinite slope at 0)."""
    k = evaluator.value(exponent, where)
    if k is None:
        return None
    if k < 0:
        return Op("power", base, node)
    if 0 < k < 1:
        return Op("sqrt", base, node)
    return None
