"""The analyses of the expressions inside one custom function, composed in the order they rest on one
another: resolution, then taint, constants, ranges and guards, each handed the ones below it (a guard
may rest on a range, a range on a constant value). They share one memo and, through the module index,
one recursion bound: each answers "unknown" past the bound.

`Analyses` makes the Evaluators of a module's functions and answers, for a call to one of the module's
helpers, what the helper returns by asking the helper's own Evaluator: the taint and range analyses are
handed it as their `Returns`, so that nothing below calls up to the object that composes it."""

from __future__ import annotations

from functools import reduce

import libcst as cst

from kerlint.extract.numerics import intervals
from kerlint.extract.numerics.constants import Constants
from kerlint.extract.numerics.guards import Guards
from kerlint.extract.numerics.intervals import TOP, Range
from kerlint.extract.numerics.module import ModuleAnalysis
from kerlint.extract.numerics.ranges import Ranges
from kerlint.extract.numerics.resolution import Resolution
from kerlint.extract.numerics.signatures import pair_sources
from kerlint.extract.numerics.syntax import Function
from kerlint.extract.numerics.taint import Taint


class Evaluator:
    """Taint, guards, constant values and ranges of the expressions inside one custom function: the five
    analyses, and the questions the hazard, head and reading finders ask of them."""

    def __init__(self, analyses: Analyses, function: Function, sources: dict[str, str]) -> None:
        self.analyses = analyses
        self.module = analyses.module
        self.ctx = self.module.ctx
        self.resolution = Resolution(self.module, function, sources)
        self.taints = Taint(self.resolution, analyses)
        self.constants = Constants(self.resolution)
        self.ranges = Ranges(self.resolution, self.taints, self.constants, analyses)
        self.guards = Guards(self.resolution, self.taints, self.constants, self.ranges)

        resolution, taints, guards = self.resolution, self.taints, self.guards
        self.function, self.scope = resolution.function, resolution.scope
        self.where, self.resolve, self.find = resolution.where, resolution.resolve, resolution.find
        self.math_name, self.user_function, self.reduces = resolution.math_name, resolution.user_function, resolution.reduces
        self.arithmetic = resolution.arithmetic
        self.taint, self.carries_gradient, self.source_kind = taints.taint, taints.carries_gradient, taints.source_kind
        self.value = self.constants.value
        self.range = self.ranges.range
        self.positive, self.exp_guard = guards.positive, guards.exp_guard
        self.clip_floor_guard, self.maximum_guard, self.ceiling_constant = (
            guards.clip_floor_guard, guards.maximum_guard, guards.ceiling_constant)


class Analyses:
    """The Evaluators of one module's functions, and what its helpers return (their range, their taint)."""

    def __init__(self, module: ModuleAnalysis) -> None:
        self.module = module
        self._evaluators: dict[tuple[int, tuple], Evaluator] = {}
        self._return_ranges: dict[tuple[int, str], Range] = {}
        self._return_taints: dict[int, frozenset[str]] = {}
        self._in_progress: set[int] = set()

    def evaluator(self, function: Function, sources: dict[str, str]) -> Evaluator:
        key = (id(function), tuple(sorted(sources.items())))
        if key not in self._evaluators:
            self._evaluators[key] = Evaluator(self, function, sources)
        return self._evaluators[key]

    def return_range(self, call: cst.Call, assumption: str) -> Range:
        """The range of what a helper function returns (analyzed on its own), for a call to it."""
        function = self._helper(call)
        if function is None:
            return TOP
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
        function = self._helper(call)
        if function is None:
            return frozenset()
        key = id(function)
        if key in self._return_taints:
            return self._return_taints[key]
        self._return_taints[key] = frozenset()  # recursion
        evaluator = self.evaluator(function, {})
        result = frozenset()
        for statement, value in self.module.returned_values(function):
            result |= evaluator.taint(value, evaluator.where(statement))
        self._return_taints[key] = result
        return result

    def _helper(self, call: cst.Call) -> cst.FunctionDef | None:
        definitions = self.module.ctx.tables.functions.get(call.func.value, []) if isinstance(call.func, cst.Name) else []
        return definitions[0] if len(definitions) == 1 else None

    def _returns_range(self, function: cst.FunctionDef, assumption: str) -> Range:
        evaluator = self.evaluator(function, pair_sources(function) or {})
        ranges = [evaluator.range(value, evaluator.where(statement), assumption)
                  for statement, value in self.module.returned_values(function)]
        return reduce(intervals.union, ranges) if ranges else TOP
