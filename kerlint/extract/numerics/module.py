"""What the analyses of a module's custom functions share: their Evaluators, caches over the module's
tables, the values passed to factories, the ranges helpers return, and functions' names."""

from __future__ import annotations

from functools import reduce

import libcst as cst

from kerlint.extract.collect import Binding, ModuleContext, Scope
from kerlint.extract.numerics import intervals
from kerlint.extract.numerics.evaluator import Evaluator
from kerlint.extract.numerics.intervals import TOP, Range
from kerlint.extract.numerics.ops import OpIndex
from kerlint.extract.numerics.resolution import Function, Where
from kerlint.extract.numerics.signatures import pair_sources, positional_params
from kerlint.extract.numerics.syntax import Position, call_argument, inside
from kerlint.extract.numerics.vocabulary import MATH_NAMESPACES


class ModuleAnalysis:
    def __init__(self, ctx: ModuleContext) -> None:
        self.ctx = ctx
        self.ops = OpIndex(ctx)
        self._evaluators: dict[tuple[int, tuple], Evaluator] = {}
        self._return_ranges: dict[tuple[int, str], Range] = {}
        self._return_taints: dict[int, frozenset[str]] = {}
        self._in_progress: set[int] = set()
        self._passed: dict[int, tuple[cst.BaseExpression, Where] | None] = {}
        self._ends: dict[int, tuple[list[Position], bool]] = {}
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

    def binding_ends(self, bindings: list[Binding]) -> tuple[list[Position], bool]:
        """Where each binding of a list takes effect (the end of its statement), and whether those
        positions are in order (they are, unless walrus targets nest)."""
        key = id(bindings)
        if key not in self._ends:
            ends = [(span.end_line, span.end_col) for span in map(self.ctx.span, (b.node for b in bindings))]
            self._ends[key] = (ends, ends == sorted(ends))
        return self._ends[key]

    # --- arguments passed to factories ---------------------------------------------------------------
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
        names = [param.name.value for param in positional_params(function)]
        index = names.index(parameter) if parameter in names else len(call.args)
        return call_argument(call, index, (parameter,))

    # --- what functions return -----------------------------------------------------------------------
    def returned_values(self, function: Function) -> list[tuple[cst.CSTNode, cst.BaseExpression]]:
        """(return statement, value) of a function; a lambda's body stands for both."""
        if isinstance(function, cst.Lambda):
            return [(function.body, function.body)]
        return [(r, r.value) for r in self.ctx.tables.returns.get(function, []) if r.value is not None]

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
