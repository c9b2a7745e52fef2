"""Where a name's value comes from inside one module: the one resolver of bindings, call-site arguments
and return values, shared by value resolution (`values`, for models and training) and the numerics
analyses (`numerics`). It answers with syntax (bindings, argument expressions, return statements);
what those are worth is each caller's business.

Semantics:
- Flow order. A binding takes effect where its statement ends (a parameter: where its function starts).
  A name read at a point of a scope stands for the last binding of that scope that took effect before the
  point. Read before any binding of the scope, it is unknown (`UNBOUND`). A name the scope never binds
  is read in the enclosing function, then the module, where the inner function runs: at its one call
  there when it has one, else anywhere (`at` None: the scope's last binding). `NameResolver.visible` has
  two named options for the callers whose behaviour differs (see there).
- Unknown when ambiguous. A name bound in both arms of an `if` has no single value (`AMBIGUOUS`).
- Call sites. A module function is called by its name, a class's `__init__` by the class's name; other
  methods have no call sites here. A parameter's argument outside a known call is the one its call sites
  agree on (`agreed_argument`).
- Attributes. `self.attr` stands for the last `self.attr = ...` of the method's class, as written.
- Return values. A function's returned expressions, in source order; a lambda's body is its return.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass

import libcst as cst

from kerlint.extract.collect import Binding, CallSite, ModuleContext, Scope, alternatives

Position = tuple[int, int]


class _Marker:
    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


UNBOUND = _Marker("UNBOUND")  # the scope binds the name, but only after the point read
AMBIGUOUS = _Marker("AMBIGUOUS")  # bound in both arms of an `if`: which one depends on the condition


@dataclass(frozen=True)
class Passed:
    """What one call site passes for a parameter: its argument expression (None: nothing, `**kwargs`
    aside), and whether the call spreads `*args` / `**kwargs`, so that what it passes is not evident."""

    site: CallSite
    argument: cst.BaseExpression | None
    spread: bool


def agreement(answers: list, same):
    """What call sites agree a parameter gets, from one answer per site (None: the site passes nothing):
    the first answer when every site gives one and `same(first, other)` holds for each other one; None
    when no site gives one (the parameter's default applies); AMBIGUOUS otherwise: the sites disagree, or
    some leave it out while others pass it. `same` is the caller's: numerics compares the arguments'
    text, value resolution their constant values."""
    given = [answer for answer in answers if answer is not None]
    if not given:
        return None
    if len(given) < len(answers):
        return AMBIGUOUS
    first = given[0]
    return first if all(same(first, other) for other in given[1:]) else AMBIGUOUS


class NameResolver:
    def __init__(self, ctx: ModuleContext) -> None:
        self.ctx = ctx
        self.tables = ctx.tables
        self._positions: dict[int, list[Position]] = {}
        self._sites: dict[int, list[CallSite]] = {}

    # --- bindings ------------------------------------------------------------------------------------
    def visible(self, bindings: list[Binding], at: Position | None, *, branches: bool = True,
                before_first: str = "unbound"):
        """The binding of `bindings` (one name in one scope, in source order) a read at `at` sees: a
        Binding, UNBOUND, or AMBIGUOUS. Options, for the callers whose tests pin other answers:
        `branches=False` takes the last of an if's arms, as written, instead of AMBIGUOUS (the numerics'
        may-analyses: a value tainted in one arm is tainted); `before_first="last"` answers a read before
        the scope's first binding with its last binding instead of UNBOUND (value resolution of scripts
        pasted out of order: `model.fit(...)` above the cell that builds `model`)."""
        if at is None:
            chosen, seen = bindings[-1], bindings
        else:
            positions = self._takes_effect(bindings)
            count = bisect_left(positions, at)
            if count == 0:
                if before_first != "last":
                    return UNBOUND
                count = len(bindings)
            chosen, seen = bindings[count - 1], bindings[:count]
        if branches and alternatives(chosen, seen):
            return AMBIGUOUS
        return chosen

    def lookup(self, scope: Scope, name: str, at: Position | None, *, call_time=None, **options):
        """The binding a read of `name` at `at` in `scope` sees: (the scope that binds it, what `visible`
        answers there), searching the enclosing functions, then the module; None when none binds it. In
        an enclosing scope the read happens where the inner function runs: `call_time(function, outer)`
        (by default `NameResolver.call_time`)."""
        when = call_time or self.call_time
        while True:
            bindings = self.bindings_of(scope, name)
            if bindings:
                return scope, self.visible(bindings, at, **options)
            if scope is None:
                return None
            outer = self.enclosing(scope)
            at = when(scope, outer)
            scope = outer

    def _takes_effect(self, bindings: list[Binding]) -> list[Position]:
        key = id(bindings)
        if key not in self._positions:
            self._positions[key] = sorted([binding.position for binding in bindings])
        return self._positions[key]

    def bindings_of(self, scope: Scope, name: str) -> list[Binding] | None:
        return self.tables.bindings.get(scope, {}).get(name)

    def enclosing(self, scope: Scope) -> Scope:
        """The scope a function's names fall back to: the function it is defined in, else the module."""
        return self.tables.function_scope.get(scope) if isinstance(scope, cst.FunctionDef) else None

    def call_time(self, function: Scope, outer: Scope) -> Position | None:
        """Where in `outer` the function runs, when evident: the position of its one call there. A name
        it reads from `outer` has the value bound before that call. None: anywhere in `outer`."""
        if not isinstance(function, cst.FunctionDef):
            return None
        sites = self.call_sites(function)
        if len(sites) == 1 and sites[0].scope is outer:
            return sites[0].position
        return None

    def attribute_binding(self, method: Scope, attr: str) -> tuple[Binding, Scope] | None:
        """`self.attr` read in a method: the last `self.attr = ...` of its class, as written, and the
        method that binds it."""
        owner = self.tables.function_class.get(method) if isinstance(method, cst.FunctionDef) else None
        bindings = self.tables.class_attributes.get(owner, {}).get(attr) if owner is not None else None
        if not bindings:
            return None
        binding = bindings[-1]
        return binding, self.ctx.method_containing(owner, binding.position)

    # --- call sites and arguments --------------------------------------------------------------------
    def call_sites(self, function: cst.FunctionDef) -> list[CallSite]:
        """Where the module calls a function by its name (a class's `__init__` by the class's name)."""
        key = id(function)
        if key not in self._sites:
            self._sites[key] = self._find_call_sites(function)
        return self._sites[key]

    def _find_call_sites(self, function: cst.FunctionDef) -> list[CallSite]:
        owner = self.tables.function_class.get(function)
        if owner is None:
            name = function.name.value
            if self.tables.functions.get(name) != [function]:
                return []  # redefined: which definition a call reaches is not evident
        elif function.name.value == "__init__":
            name = owner.name.value
        else:
            return []
        return [site for site in self.ctx.calls_named(name) if isinstance(site.call.func, cst.Name)]

    def argument(self, call: cst.Call, function: cst.FunctionDef, param: cst.Param) -> Passed:
        """What `call` passes for `param` of `function`: by keyword, else by position."""
        name = param.name.value
        spread = any(arg.star for arg in call.args)
        for arg in call.args:
            if arg.keyword is not None and arg.keyword.value == name:
                return Passed(None, arg.value, spread)
        params = [*function.params.posonly_params, *function.params.params]
        if function in self.tables.function_class and params and params[0].name.value in ("self", "cls"):
            params = params[1:]
        index = next((i for i, p in enumerate(params) if p is param), None)
        positional = [arg for arg in call.args if arg.keyword is None and not arg.star]
        if index is not None and index < len(positional) and not any(arg.star == "*" for arg in call.args):
            return Passed(None, positional[index].value, spread)
        return Passed(None, None, spread)

    def passed(self, parameter: Binding) -> list[Passed]:
        """What each call site of the parameter's function passes for it."""
        function = parameter.param_of
        return [Passed(site, found.argument, found.spread)
                for site in self.call_sites(function)
                for found in (self.argument(site.call, function, parameter.node),)] + self._layer_inputs(parameter)

    def _layer_inputs(self, parameter: Binding) -> list[Passed]:
        """`layers.Lambda(f)(x)` calls f with x: what each application of the layer gives f's first parameter."""
        function = parameter.param_of
        params = function.params.params
        name = function.name.value
        if not params or params[0] is not parameter.node or self.tables.functions.get(name) != [function]:
            return []
        found = []
        for site in self.tables.calls:
            layer = site.call.func
            if not (isinstance(layer, cst.Call) and layer.args and site.call.args
                    and (self.ctx.qualify(layer.func) or "").endswith("layers.Lambda")):
                continue
            wrapped = layer.args[0].value
            if layer.args[0].keyword is None and isinstance(wrapped, cst.Name) and wrapped.value == name:
                found.append(Passed(site, site.call.args[0].value, False))
        return found

    def agreed_argument(self, parameter: Binding, same):
        """The argument a parameter gets outside a known call, by `agreement` of what its call sites
        pass; AMBIGUOUS also when none passes it by name but one spreads `*args` / `**kwargs`."""
        passed = self.passed(parameter)
        agreed = agreement([p if p.argument is not None else None for p in passed], same)
        return AMBIGUOUS if agreed is None and any(p.spread for p in passed) else agreed

    # --- return values -------------------------------------------------------------------------------
    def returned(self, function: cst.FunctionDef | cst.Lambda) -> list[tuple[cst.CSTNode, cst.BaseExpression]]:
        """(return statement, value) of a function, in source order; a lambda's body stands for both."""
        if isinstance(function, cst.Lambda):
            return [(function.body, function.body)]
        return [(r, r.value) for r in self.tables.returns.get(function, []) if r.value is not None]
