"""Which functions of a module are custom losses and metrics, and which inputs each one receives.

The functions compile() uses ("loss" or "metric"), (y_true, y_pred)-style functions and lambdas
("loss-like"), `call` of Loss subclasses and `update_state` of Metric subclasses, inner functions
returned by loss factories, and functions called from any of these (with the caller's role, and the
taint of the arguments they receive)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

import libcst as cst

from kerlint.extract.collect import CallSite, Scope
from kerlint.extract.names import dotted
from kerlint.extract.numerics.evaluator import Analyses, Evaluator
from kerlint.extract.numerics.objectives import Objective, Objectives
from kerlint.extract.numerics.syntax import Function, Where, inside, is_self_attribute
from kerlint.extract.numerics.signatures import default_sources, pair_sources, positional_params
from kerlint.extract.numerics.vocabulary import LOSS_BASES, METRIC_BASES

TRAINING_METHODS = ("compile", "fit", "fit_generator", "train_on_batch")
FACTORY_WORDS = ("loss", "metric", "coef", "dice", "jaccard", "iou", "focal", "entropy")


@dataclass
class Candidate:
    function: Function
    role: str
    sources: dict[str, str]
    explicit: bool = False  # the role came from compile() or a Loss/Metric base class
    component: bool = False  # called from another loss or metric: its value is a part, not the loss
    objective: Objective | None = None  # a differentiated objective outside any loss function
    gradient_path: bool = False  # a helper an objective reaches (not a loss by its signature or by compile())


class Discovery:
    def __init__(self, analyses: Analyses) -> None:
        self.analyses = analyses
        self.module = analyses.module
        self.ctx = self.module.ctx

    def candidates(self, roles: dict[cst.FunctionDef, str]) -> list[Candidate]:
        """The module's losses and metrics, in source order."""
        found: dict[Function, Candidate] = {}
        for function, role in roles.items():
            self._add_compiled(found, function, role)
        for definitions in self.ctx.tables.functions.values():
            for function in definitions:
                if function not in found:
                    self._add_by_signature(found, function)
        for function in self.ctx.tables.lambdas:
            sources = pair_sources(function)
            if sources is not None:
                found[function] = Candidate(function, "loss-like", sources)
        self._add_lambda_layer_functions(found)
        objectives = [Candidate(o.scope, "loss", o.sources, explicit=True, objective=o)
                      for o in Objectives(self.analyses).find()]
        for candidate in objectives:
            self._add_objective_helpers(found, candidate.objective)
        self._add_helpers(found)
        ordered = [*found.values(), *objectives]
        return sorted(ordered, key=lambda c: self._position(c.objective.anchor if c.objective else c.function))

    def _position(self, node) -> tuple[int, int]:
        span = self.ctx.span(node)
        return span.line, span.col

    def _add_objective_helpers(self, found: dict, objective: Objective) -> None:
        """The helpers an objective calls are in the gradient's path, whatever taint their arguments carry."""
        for call, where in objective.helpers:
            evaluator = self.analyses.evaluator(where[0], objective.sources if where[0] is objective.scope else {})
            for helper in self._callee_definitions(call, where[0]):
                sources = self._helper_sources(evaluator, call, helper, where)
                if helper not in found:
                    found[helper] = Candidate(helper, "loss", sources, component=True, gradient_path=True)

    def _add_lambda_layer_functions(self, found: dict) -> None:
        """The function a `layers.Lambda` wraps, in a module that trains a model: it computes part of the
        prediction, so the gradient of any loss flows through it. Its first parameter is the layer's input
        (a tensor or a list of them); `arguments=` are constants."""
        if not any(isinstance(site.call.func, cst.Attribute) and site.call.func.attr.value in TRAINING_METHODS
                   for site in self.ctx.tables.calls):
            return
        for site in self.ctx.tables.calls:
            if not (self.ctx.callee(site.call) or "").endswith("layers.Lambda") or not site.call.args:
                continue
            kind = self._lambda_input_kind(site)
            if kind == "target":
                continue  # applied to the data itself: no gradient flows into it
            wrapped = site.call.args[0].value
            if isinstance(wrapped, cst.Lambda):
                functions = [wrapped]
            elif isinstance(wrapped, cst.Name):
                functions = self._callee_definitions(cst.Call(func=wrapped), site.scope)
            else:
                continue
            for function in functions:
                params = positional_params(function)
                if params and (function not in found or found[function].role == "loss-like"):
                    found[function] = Candidate(function, "loss", {params[0].name.value: kind},
                                                component=True, gradient_path=True)

    def _lambda_input_kind(self, construction: CallSite) -> str:
        """What a Lambda layer is applied to: "target" for the data itself (`Lambda(f)(inputs)` with `inputs =
        keras.Input(...)`, the first layer of a Sequential list), else "derived" (a layer's output)."""
        for site in self.ctx.tables.calls:
            call = site.call
            if call.func is construction.call and call.args:
                evaluator = self.analyses.evaluator(site.scope, {})
                return evaluator.source_kind(call.args[0].value, (site.scope, site.position)) or "derived"
            first = call.args[0].value if call.args else None
            if (isinstance(first, cst.List) and first.elements and first.elements[0].value is construction.call
                    and (self.ctx.callee(call) or "").endswith("Sequential")):
                return "target"
        return "derived"

    def _add_compiled(self, found: dict, function: cst.FunctionDef, role: str) -> None:
        inner = self._returned_inner_functions(function)
        targets = inner if inner and pair_sources(function) is None else [function]
        for target in targets:
            found[target] = Candidate(target, role, default_sources(target), explicit=True)

    def _add_by_signature(self, found: dict, function: cst.FunctionDef) -> None:
        sources = pair_sources(function)
        if sources is None and self._returned_by_loss_factory(function):
            sources = default_sources(function) if len(positional_params(function)) >= 2 else None
        if sources is None:
            return
        role = self._class_role(function)
        found[function] = Candidate(function, role or "loss-like", sources, explicit=role is not None)

    def _returned_inner_functions(self, function: cst.FunctionDef) -> list[cst.FunctionDef]:
        """The inner functions a factory (`def dice_loss(smooth=1): def loss(...): ...; return loss`) returns."""
        returned = {r.value.value for r in self.ctx.tables.returns.get(function, []) if isinstance(r.value, cst.Name)}
        return [inner for name in returned for inner in self.ctx.tables.functions.get(name, [])
                if self.ctx.tables.function_scope.get(inner) is function]

    def _returned_by_loss_factory(self, function: cst.FunctionDef) -> bool:
        outer = self.ctx.tables.function_scope.get(function)
        if not isinstance(outer, cst.FunctionDef) or function not in self._returned_inner_functions(outer):
            return False
        names = (outer.name.value + " " + function.name.value).lower()
        return any(word in names for word in FACTORY_WORDS)

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

    # --- helpers called from a loss or metric --------------------------------------------------------
    def _add_helpers(self, found: dict[Function, Candidate]) -> None:
        """Functions a loss or metric calls are analyzed with the caller's role and taint."""
        pending = list(found.values())
        while pending:
            caller = pending.pop()
            for helper, sources in self._called_helpers(caller):
                if self._merge_helper(found, caller, helper, sources):
                    pending.append(found[helper])

    def _merge_helper(self, found: dict, caller: Candidate, helper: cst.FunctionDef, sources: dict[str, str]) -> bool:
        existing = found.get(helper)
        if existing is None:
            found[helper] = Candidate(helper, caller.role, sources, component=True,
                                      gradient_path=caller.gradient_path)
            return True
        existing.component = True
        if not existing.explicit and existing.role == "loss-like" and caller.role != "loss-like":
            existing.role = caller.role
            return True
        return False

    def _called_helpers(self, caller: Candidate) -> Iterator[tuple[cst.FunctionDef, dict[str, str]]]:
        evaluator = self.analyses.evaluator(caller.function, caller.sources)
        for site in self.ctx.tables.calls:
            if site.scope is not evaluator.scope or not self._calls_from(site, caller.function):
                continue
            for helper in self._callee_definitions(site.call, evaluator.scope):
                sources = self._helper_sources(evaluator, site.call, helper)
                if sources:
                    yield helper, sources

    def _calls_from(self, site, function: Function) -> bool:
        return not isinstance(function, cst.Lambda) or inside(site.position, self.ctx.span(function))

    def _callee_definitions(self, call: cst.Call, caller: Scope) -> list[cst.FunctionDef]:
        if isinstance(call.func, cst.Name) and self.ctx.qualify(call.func) is None:
            visible = self._enclosing_scopes(caller)
            return [f for f in self.ctx.tables.functions.get(call.func.value, [])
                    if f is not caller and self.ctx.tables.function_scope.get(f) in visible
                    and f not in self.ctx.tables.function_class]
        if is_self_attribute(call.func):
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

    def _helper_sources(self, evaluator: Evaluator, call: cst.Call, helper: cst.FunctionDef,
                        where: Where | None = None) -> dict[str, str]:
        """The taint each of the helper's parameters receives at this call."""
        params = positional_params(helper)
        by_name = {p.name.value for p in [*params, *helper.params.kwonly_params]}
        where = where or evaluator.where(call)
        received: list[tuple[str, cst.BaseExpression]] = []
        positional = [arg for arg in call.args if arg.keyword is None]
        for index, arg in enumerate(positional):
            if arg.star or index >= len(params):
                break
            received.append((params[index].name.value, arg.value))
        received += [(arg.keyword.value, arg.value) for arg in call.args
                     if arg.keyword is not None and arg.keyword.value in by_name]
        sources: dict[str, str] = {}
        for name, value in received:
            kind = evaluator.source_kind(value, where)
            if kind:
                sources[name] = kind
        return sources
