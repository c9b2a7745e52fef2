"""What the analyses of a module's custom functions share: their Evaluators, caches over the module's
tables, the values passed to factories, the ranges helpers return, and functions' names."""

from __future__ import annotations

from functools import reduce

import libcst as cst

from kerlint.extract.bindings import NameResolver, Passed
from kerlint.extract.collect import Binding, ModuleContext, Scope
from kerlint.extract.numerics import intervals
from kerlint.extract.numerics.evaluator import Evaluator
from kerlint.extract.numerics.intervals import TOP, Range
from kerlint.extract.numerics.ops import OpIndex
from kerlint.extract.numerics.resolution import Function
from kerlint.extract.numerics.signatures import pair_sources
from kerlint.extract.numerics.syntax import inside
from kerlint.extract.numerics.vocabulary import MATH_NAMESPACES


class ModuleAnalysis:
    def __init__(self, ctx: ModuleContext) -> None:
        self.ctx = ctx
        self.ops = OpIndex(ctx)
        self._evaluators: dict[tuple[int, tuple], Evaluator] = {}
        self._return_ranges: dict[tuple[int, str], Range] = {}
        self._return_taints: dict[int, frozenset[str]] = {}
        self._in_progress: set[int] = set()
        self.names = NameResolver(ctx)
        self._passed: dict = {}
        self._math_names: dict[int, str | None] = {}
        self.depth = 0  # recursion depth of the Evaluators' analyses, shared so helper calls count too

    def evaluator(self, function: cst.FunctionDef, sources: dict[str, str]) -> Evaluator:
        key = (id(function), tuple(sorted(sources.items())))
        if key not in self._evaluators:
            self._evaluators[key] = Evaluator(self, function, sources)
        return self._evaluators[key]

    def math_name(self, call: cst.Call) -> str | None:
        key = id(call)
        if key not in self._math_names:
            name = self.ctx.callee(call)
            namespace, _, last = (name or "").rpartition(".")
            self._math_names[key] = last if namespace in MATH_NAMESPACES else None
        return self._math_names[key]

    # --- scopes and bindings -------------------------------------------------------------------------
    def scope_of(self, node: cst.CSTNode) -> Scope:
        """The innermost function around a node (None: the module)."""
        start = self.ctx.span(node)
        position = (start.line, start.col)
        around = [f for f in self.ctx.tables.function_scope if inside(position, self.ctx.span(f.body))]
        return max(around, key=lambda f: (self.ctx.span(f).line, self.ctx.span(f).col), default=None)

    # --- arguments passed to factories ---------------------------------------------------------------
    def argument_passed(self, parameter: Binding):
        """The argument the module's calls give a factory's (or a Loss class's __init__'s) parameter: a
        Passed when they agree on its text, None (its default applies) or AMBIGUOUS (see NameResolver)."""
        key = id(parameter.node)
        if key not in self._passed:
            self._passed[key] = self.names.agreed_argument(parameter, self._same_text)
        return self._passed[key]

    def _same_text(self, first: Passed, other: Passed) -> bool:
        return self.ctx.text(first.argument) == self.ctx.text(other.argument)

    # --- what functions return -----------------------------------------------------------------------
    def returned_values(self, function: Function) -> list[tuple[cst.CSTNode, cst.BaseExpression]]:
        """(return statement, value) of a function; a lambda's body stands for both."""
        return self.names.returned(function)

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

    def return_taint(self, call: cst.Call) -> frozenset[str]:
        """What a helper's result is computed from on its own (its parameters untainted): weights it
        creates, models it calls."""
        definitions = self.ctx.tables.functions.get(call.func.value, []) if isinstance(call.func, cst.Name) else []
        if len(definitions) != 1:
            return frozenset()
        function = definitions[0]
        key = id(function)
        if key in self._return_taints:
            return self._return_taints[key]
        self._return_taints[key] = frozenset()  # recursion
        evaluator = self.evaluator(function, {})
        result = frozenset()
        for statement, value in self.returned_values(function):
            result |= evaluator.taint(value, evaluator.where(statement))
        self._return_taints[key] = result
        return result

    def _returns_range(self, function: cst.FunctionDef, assumption: str) -> Range:
        evaluator = self.evaluator(function, pair_sources(function) or {})
        ranges = [evaluator.range(value, evaluator.where(statement), assumption)
                  for statement, value in self.returned_values(function)]
        return reduce(intervals.union, ranges) if ranges else TOP

    # --- names ---------------------------------------------------------------------------------------
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
