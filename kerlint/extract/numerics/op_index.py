"""Where numeric ops can be in a module (calls, divisions, powers), indexed by position once for all
its functions; which of them are numeric ops, and of what, is `ops`'s question."""

from __future__ import annotations

from bisect import bisect_left, bisect_right

import libcst as cst

from kerlint.diagnostic import Span
from kerlint.extract.collect import ModuleContext
from kerlint.extract.numerics.syntax import Position, inside


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
