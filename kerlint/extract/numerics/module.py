"""The index the analyses of a module's custom functions share: caches over the module's tables, the
values passed to factories, what functions return, and functions' names. It knows nothing of the
analyses themselves (see `evaluator`)."""

from __future__ import annotations

import libcst as cst

from kerlint.extract.bindings import NameResolver, Passed
from kerlint.extract.collect import Binding, ModuleContext, Scope
from kerlint.extract.models import BuiltModels
from kerlint.extract.numerics.op_index import OpIndex
from kerlint.extract.numerics.syntax import Function, inside
from kerlint.extract.numerics.vocabulary import MATH_NAMESPACES


class ModuleAnalysis:
    def __init__(self, ctx: ModuleContext, names: NameResolver | None = None, models: BuiltModels | None = None) -> None:
        self.ctx = ctx
        self.models = models or BuiltModels()
        self.ops = OpIndex(ctx)
        self.names = names or NameResolver(ctx)
        self._passed: dict = {}
        self._math_names: dict[int, str | None] = {}
        self.depth = 0  # recursion depth of the analyses, shared so helper calls count too

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
