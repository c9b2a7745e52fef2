"""Light value resolution inside one module.

Resolves what an expression stands for, as far as it can be known without running anything: literals,
names bound to them (which binding a use sees, which call sites pass a parameter and what a function
returns are the shared `bindings.NameResolver`'s answers),
`dict(...)` / `{...}` with `**` expansion, tuple unpacking, function parameters through the
function's call sites, the return value of the program's own functions, and `self.x` attributes of
the class a method belongs to. Anything else is `Unknown`: callers stay silent on unknowns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
import libcst as cst

from kerlint.extract.bindings import AMBIGUOUS, NameResolver, agreement
from kerlint.extract.collect import Binding, ModuleContext, Scope

MAX_DEPTH = 40
# Evaluations one top-level question may take: the values an expression depends on through names, call
# sites and returns can form a graph walked once per path (recursive helpers, long arithmetic chains).
# The largest question in the fixtures takes 19, in 453 published Keras programs 74; a sympy module
# took millions (tens of seconds). A count, not a clock: the same answer on any machine.
MAX_STEPS = 2_000

MAX_FLOAT_INT = 2**1023  # integer literals above this are beyond float64's range
_NOT_YET = object()


@dataclass(frozen=True)
class Env:
    """Where an expression is evaluated: a scope, the position of the use, and, inside a call of one
    of the program's functions, the call that binds its parameters."""

    scope: Scope
    position: tuple[int, int]
    call: "Call | None" = None
    depth: int = 0

    def deeper(self, **changes) -> "Env":
        return Env(**{"scope": self.scope, "position": self.position, "call": self.call,
                      "depth": self.depth + 1, **changes})


class Value:
    """Base of what an expression can resolve to. Every value keeps the `node` it came from."""


@dataclass(eq=False)
class Unknown(Value):
    node: cst.CSTNode | None = None


@dataclass(eq=False)
class Const(Value):
    value: object
    node: cst.CSTNode | None = None


@dataclass(eq=False)
class Seq(Value):
    items: list[Value]
    node: cst.CSTNode | None = None


@dataclass(eq=False)
class Mapping(Value):
    items: dict[str, Value]
    keys: dict[str, cst.CSTNode]  # where each key was written
    node: cst.CSTNode | None = None


@dataclass(eq=False)
class ApiRef(Value):
    """A reference to a library object, not called: `keras.losses.binary_crossentropy`, `tf.nn.softmax`."""

    name: str
    node: cst.CSTNode | None = None


@dataclass(eq=False)
class FunctionRef(Value):
    """The program's own function (or class), not called."""

    definition: cst.FunctionDef | cst.ClassDef
    node: cst.CSTNode | None = None


@dataclass(eq=False)
class Call(Value):
    """`callee(args)`: a library call (`callee` is its canonical name), a call of the program's own
    function (`function` is set), a call of a value (`target`, e.g. a layer applied to a tensor),
    or a method call on a value (`receiver` and `method`)."""

    node: cst.Call
    env: Env
    ctx: ModuleContext = field(repr=False)
    callee: str | None = None
    function: cst.FunctionDef | cst.ClassDef | None = None
    target: Value | None = None
    receiver: Value | None = None
    method: str | None = None

    # --- arguments -------------------------------------------------------------------------------
    def arg_node(self, name: str | None, index: int | None = None) -> cst.Arg | None:
        positional = [a for a in self.node.args if a.keyword is None and not a.star]
        for arg in self.node.args:
            if arg.keyword is not None and arg.keyword.value == name:
                return arg
        if index is not None and index < len(positional):
            return positional[index]
        return None

    def arg(self, name: str | None, index: int | None = None, evaluator: "Evaluator | None" = None) -> Value | None:
        """The value passed as `name=` or at position `index`, with `**kwargs` dicts expanded.
        None when not passed at all."""
        node = self.arg_node(name, index)
        ev = evaluator or Evaluator(self.ctx)
        if node is not None:
            return ev.eval(node.value, self.env)
        if name is not None:
            expanded = self.expanded_kwargs(ev)
            if name in expanded:
                return expanded[name][0]
        return None

    def expanded_kwargs(self, ev: "Evaluator") -> dict[str, tuple[Value, cst.CSTNode]]:
        """Keyword arguments from `**mapping` expansions: name -> (value, where the key was written)."""
        found: dict[str, tuple[Value, cst.CSTNode]] = {}
        for arg in self.node.args:
            if arg.star == "**":
                mapping = ev.eval(arg.value, self.env)
                if isinstance(mapping, Mapping):
                    for key, value in mapping.items.items():
                        found[key] = (value, mapping.keys.get(key, arg))
        return found

    def keywords(self, ev: "Evaluator") -> dict[str, tuple[Value, cst.CSTNode]]:
        """Every keyword argument, `**` expansions included: name -> (value, where it was written)."""
        found = self.expanded_kwargs(ev)
        for arg in self.node.args:
            if arg.keyword is not None:
                found[arg.keyword.value] = (ev.eval(arg.value, self.env), arg)
        return found

    def positional(self) -> list[cst.Arg]:
        return [a for a in self.node.args if a.keyword is None and not a.star]


@dataclass(eq=False)
class Attr(Value):
    """`value.name` where value is not a library module: `base_model.output`, `x.shape`."""

    base: Value
    name: str
    node: cst.CSTNode | None = None


@dataclass(eq=False)
class BinOp(Value):
    operator: str  # "+", "-", "*", "/", "//", "**", "%", "@"
    left: Value
    right: Value
    node: cst.CSTNode | None = None


@dataclass(eq=False)
class Item(Value):
    """An element of a value: `value[i]`, or a target of tuple unpacking."""

    base: Value
    path: tuple[object, ...]
    node: cst.CSTNode | None = None


_OPERATORS = {
    cst.Add: "+", cst.Subtract: "-", cst.Multiply: "*", cst.Divide: "/", cst.FloorDivide: "//",
    cst.Power: "**", cst.Modulo: "%", cst.MatrixMultiply: "@",
    cst.AddAssign: "+", cst.SubtractAssign: "-", cst.MultiplyAssign: "*", cst.DivideAssign: "/",
    cst.FloorDivideAssign: "//", cst.PowerAssign: "**", cst.ModuloAssign: "%",
}


def operator_symbol(operator: cst.CSTNode) -> str:
    return _OPERATORS.get(type(operator), "?")


class Evaluator:
    def __init__(self, ctx: ModuleContext, names: NameResolver | None = None) -> None:
        self.ctx = ctx
        self.tables = ctx.tables
        self.names = names or NameResolver(ctx)
        self._active: set[int] = set()  # bindings being evaluated (guards against cycles)
        self._cycles_cut = 0  # how often that guard (or the depth limit) answered Unknown
        self._binding_values: dict[tuple, Value] = {}
        self._nesting = self._steps = 0  # evaluations inside the current top-level eval(), within MAX_STEPS
        self._over_call_sites = ctx.parameters_over_call_sites

    # --- entry points ----------------------------------------------------------------------------
    def env_at(self, node: cst.CSTNode, scope: Scope) -> Env:
        span = self.ctx.span(node)
        return Env(scope, (span.line, span.col))

    def eval(self, node: cst.BaseExpression, env: Env) -> Value:
        if self._nesting == 0:  # a new question: a new budget
            self._steps = 0
        self._steps += 1
        if env.depth > MAX_DEPTH or self._steps > MAX_STEPS:
            self._cycles_cut += 1  # a value cut short is not memoized either
            return Unknown(node)
        method = getattr(self, f"_eval_{type(node).__name__}", None)
        if method is None:
            return Unknown(node)
        self._nesting += 1
        try:
            return method(node, env)
        finally:
            self._nesting -= 1

    def unwrap(self, value: Value | None) -> Value | None:
        """Follow calls of the program's own functions to what they return."""
        for _ in range(MAX_DEPTH):
            if isinstance(value, Call) and isinstance(value.function, cst.FunctionDef):
                value = self.returned(value)
            else:
                return value
        return value

    def returned(self, call: Call) -> Value:
        """What a call of the program's own function returns: its last return's value."""
        function = call.function
        returns = self.names.returned(function) if isinstance(function, cst.FunctionDef) else []
        if not returns:
            return Unknown(call.node)
        statement, value = returns[-1]
        return self.eval(value, Env(function, self._position(statement), call, call.env.depth + 1))

    # --- literals --------------------------------------------------------------------------------
    def _eval_Integer(self, node, env):
        try:
            value = node.evaluated_value
        except (ValueError, SyntaxError):  # over Python's 4300-digit limit for decimal ints
            return Unknown(node)
        if abs(value) > MAX_FLOAT_INT:  # no float holds it: the rules' arithmetic and formatting would overflow
            return Unknown(node)
        return Const(value, node)

    def _eval_Float(self, node, env):
        return Const(node.evaluated_value, node)

    def _eval_SimpleString(self, node, env):
        try:
            return Const(node.evaluated_value, node)
        except Exception:
            return Unknown(node)

    def _eval_ConcatenatedString(self, node, env):
        try:
            return Const(node.evaluated_value, node)
        except Exception:
            return Unknown(node)

    def _eval_UnaryOperation(self, node, env):
        inner = self.eval(node.expression, env.deeper())
        if isinstance(inner, Const) and isinstance(inner.value, (int, float)) and not isinstance(inner.value, bool):
            if isinstance(node.operator, cst.Minus):
                return Const(-inner.value, node)
            if isinstance(node.operator, cst.Plus):
                return Const(inner.value, node)
        if isinstance(node.operator, cst.Not) and isinstance(inner, Const):
            return Const(not inner.value, node)
        if isinstance(node.operator, cst.Minus):
            return BinOp("*", Const(-1, node), inner, node)
        return Unknown(node)

    def _eval_BinaryOperation(self, node, env):
        left = self.eval(node.left, env.deeper())
        right = self.eval(node.right, env.deeper())
        symbol = operator_symbol(node.operator)
        folded = _fold(symbol, left, right)
        if folded is not None:
            return Const(folded, node)
        return BinOp(symbol, left, right, node)

    def _eval_List(self, node, env):
        return self._sequence(node, env)

    def _eval_Tuple(self, node, env):
        return self._sequence(node, env)

    def _sequence(self, node, env):
        items: list[Value] = []
        for element in node.elements:
            value = self.eval(element.value, env.deeper())
            if isinstance(element, cst.StarredElement):
                if isinstance(value, Seq):
                    items += value.items
                else:
                    return Unknown(node)
            else:
                items.append(value)
        return Seq(items, node)

    def _eval_Dict(self, node, env):
        items: dict[str, Value] = {}
        keys: dict[str, cst.CSTNode] = {}
        for element in node.elements:
            if isinstance(element, cst.StarredDictElement):
                inner = self.eval(element.value, env.deeper())
                if isinstance(inner, Mapping):
                    items.update(inner.items)
                    keys.update(inner.keys)
                continue
            key = self.eval(element.key, env.deeper())
            if isinstance(key, Const) and isinstance(key.value, str):
                items[key.value] = self.eval(element.value, env.deeper())
                keys[key.value] = element
        return Mapping(items, keys, node)

    # --- names -----------------------------------------------------------------------------------
    def _eval_Name(self, node, env):
        if node.value in ("True", "False", "None") and node.value not in self.tables.bound_names:
            return Const({"True": True, "False": False, "None": None}[node.value], node)
        binding_value = self.lookup(node.value, env)
        if binding_value is not None:
            return binding_value
        api = self.ctx.qualify(node)
        if api:
            return ApiRef(api, node)
        return Unknown(node)

    def lookup(self, name: str, env: Env) -> Value | None:
        """The value `name` has at env's position, or None when the module never binds it."""
        found = self.names.lookup(env.scope, name, env.position, before_first="last",
                                  call_time=lambda function, outer: self._call_time(function, outer, env))
        if found is not None:
            scope, chosen = found
            if chosen is AMBIGUOUS:  # bound in both arms of an if: depends on the condition
                return Unknown(self.names.bindings_of(scope, name)[-1].node)
            return self._binding_value(chosen, env if scope is env.scope else Env(scope, chosen.position, None, env.depth))
        functions = self.tables.functions.get(name)
        if functions:
            return FunctionRef(functions[-1])
        if name in self.tables.classes:
            return FunctionRef(self.tables.classes[name])
        return None

    def _call_time(self, function: Scope, outer: Scope, env: Env) -> tuple[int, int] | None:
        """Where in `outer` the function runs: inside the call being evaluated, else where the resolver
        finds it evident (None: anywhere in `outer`)."""
        call = env.call
        if call is not None and call.function is function and call.env.scope is outer:
            return call.env.position
        return self.names.call_time(function, outer)

    def _binding_value(self, binding: Binding, env: Env) -> Value:
        key = id(binding)
        if key in self._active:
            self._cycles_cut += 1
            return Unknown(binding.node)
        # A binding's value depends on the binding and the call it is evaluated in (the scope is the
        # binding's): `y = x * x; z = y * y; ...` evaluates each name once, not once per path to it.
        memo_key = (key, env.call)  # the Call itself, held by the memo, so its id is never reused
        found = self._binding_values.get(memo_key)
        if found is not None:
            return found
        self._active.add(key)
        cut = self._cycles_cut
        try:
            value = self._binding_value_inner(binding, env)
        finally:
            self._active.discard(key)
        if self._cycles_cut == cut:  # complete: not cut short by a cycle or by depth
            self._binding_values[memo_key] = value
        return value

    def _binding_value_inner(self, binding: Binding, env: Env) -> Value:
        inner_env = Env(env.scope, binding.position, env.call, env.depth + 1)
        if binding.param_of is not None:
            return self._parameter(binding, env)
        if binding.value is None:
            return Unknown(binding.node)
        if isinstance(binding.node, cst.FunctionDef):
            return FunctionRef(binding.node)
        value = self.eval(binding.value, inner_env)
        if binding.augmented is not None:
            previous = self.lookup(binding.name, inner_env) or Unknown(binding.node)
            return BinOp(operator_symbol(binding.augmented), previous, value, binding.node)
        if binding.path:
            return self.item(value, binding.path, binding.node)
        return value

    def item(self, value: Value, path: tuple, node) -> Value:
        for index in path:
            value = self.unwrap(value)
            if isinstance(value, Seq) and isinstance(index, int) and -len(value.items) <= index < len(value.items):
                value = value.items[index]
            elif isinstance(value, Mapping) and isinstance(index, str) and index in value.items:
                value = value.items[index]
            elif isinstance(value, Item):
                value = Item(value.base, value.path + (index,), node)
            else:
                value = Item(value, (index,), node)
        return value

    def _parameter(self, binding: Binding, env: Env) -> Value:
        function = binding.param_of
        param = binding.node
        call = env.call if env.call is not None and env.call.function is function else None
        if call is not None:
            passed = self._argument_for(call, function, param)
        else:
            passed = self._over_call_sites.get(id(binding), _NOT_YET)
            if passed is _NOT_YET:
                cut = self._cycles_cut
                sites = [Call(site.call, Env(site.scope, site.position, None, 1), self.ctx, function=function)
                         for site in self.names.call_sites(function)]
                passed = agreement([self._argument_for(site, function, param) for site in sites], self._same_constant)
                if self._cycles_cut == cut:  # not cut short by a cycle through what is being evaluated now
                    self._over_call_sites[id(binding)] = passed
            if passed is AMBIGUOUS:
                return Unknown(param)
        if passed is not None:
            return passed
        if isinstance(param, cst.Param) and param.default is not None:
            return self.eval(param.default, Env(self.tables.function_scope.get(function), self._position(function), None, env.depth + 1))
        return Unknown(param)

    def _same_constant(self, first: Value, other: Value) -> bool:
        first, other = self.unwrap(first), self.unwrap(other)
        return isinstance(first, Const) and isinstance(other, Const) and repr(first.value) == repr(other.value)

    def _argument_for(self, call: Call, function: cst.FunctionDef, param: cst.Param) -> Value | None:
        passed = self.names.argument(call.node, function, param)
        if passed.argument is not None:
            return self.eval(passed.argument, call.env)
        return call.arg(param.name.value, None, self)  # a `**kwargs` mapping may pass it by name

    # --- attributes, calls, subscripts -----------------------------------------------------------
    def _eval_Attribute(self, node, env):
        api = self.ctx.qualify(node)
        if api:
            return ApiRef(api, node)
        if isinstance(node.value, cst.Name) and node.value.value == "self":
            value = self._self_attribute(node.attr.value, env)
            if value is not None:
                return value
        base = self.eval(node.value, env.deeper())
        default = self._option_default(base, node.attr.value, env)
        return default if default is not None else Attr(base, node.attr.value, node)

    def _option_default(self, parsed: Value, name: str, env: Env) -> Value | None:
        """`args.num_classes` of `args = parser.parse_args()`: the default its `add_argument` gives, which is
        what the script runs with when the option is not passed."""
        parsed = self.unwrap(parsed)
        if not (isinstance(parsed, Call) and parsed.method in ("parse_args", "parse_known_args")):
            return None
        parser = self.unwrap(parsed.receiver)
        if not (isinstance(parser, Call) and parser.callee == "argparse.ArgumentParser"):
            return None
        for site in self.ctx.calls_named("add_argument"):
            if not isinstance(site.call.func, cst.Attribute):
                continue
            option = self.eval(site.call, Env(site.scope, site.position, None, env.depth + 1))
            receiver = self.unwrap(option.receiver) if isinstance(option, Call) else None
            if receiver is not None and receiver.node is parser.node and _option_dest(option, self) == name:
                return option.arg("default", None, self)
        return None

    def _self_attribute(self, name: str, env: Env) -> Value | None:
        found = self.names.attribute_binding(env.scope, name)
        if found is None:
            return None
        binding, scope = found
        return self.eval(binding.value, Env(scope, binding.position, None, env.depth + 1)) if binding.value else None

    def _instance_method(self, receiver: Value, name: str) -> cst.FunctionDef | None:
        """The method `name` of the module's class that `receiver` is an instance of."""
        receiver = self.unwrap(receiver)
        owner = receiver.function if isinstance(receiver, Call) else None
        if not isinstance(owner, cst.ClassDef):
            return None
        methods = [f for f in self.tables.functions.get(name, []) if self.tables.function_class.get(f) is owner]
        return methods[0] if len(methods) == 1 else None

    def _eval_Call(self, node, env):
        func = node.func
        api = self.ctx.qualify(func)
        if api:
            return Call(node, env, self.ctx, callee=api)
        if isinstance(func, cst.Name):
            if func.value == "dict" and "dict" not in self.tables.bound_names:
                return self._dict_call(node, env)
            target = self.lookup(func.value, env)
            if isinstance(target, FunctionRef):
                return Call(node, env, self.ctx, function=target.definition)
            if target is None:
                return Call(node, env, self.ctx, callee=func.value)  # a builtin such as zip or len
            return Call(node, env, self.ctx, target=target)
        if isinstance(func, cst.Attribute):
            if isinstance(func.value, cst.Name) and func.value.value == "self":
                target = self._self_attribute(func.attr.value, env)
                if target is not None:
                    return Call(node, env, self.ctx, target=target)
            receiver = self.eval(func.value, env.deeper())
            method = self._instance_method(receiver, func.attr.value)
            if method is not None:  # `net.model()` on an instance of a class of this module
                return Call(node, env, self.ctx, function=method)
            return Call(node, env, self.ctx, receiver=receiver, method=func.attr.value)
        return Call(node, env, self.ctx, target=self.eval(func, env.deeper()))

    def _dict_call(self, node, env):
        items: dict[str, Value] = {}
        keys: dict[str, cst.CSTNode] = {}
        call = Call(node, env, self.ctx, callee="dict")
        for name, (value, where) in call.keywords(self).items():
            items[name] = value
            keys[name] = where
        return Mapping(items, keys, node)

    def _eval_Subscript(self, node, env):
        base = self.eval(node.value, env.deeper())
        if len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
            index = self.eval(node.slice[0].slice.value, env.deeper())
            if isinstance(index, Const) and isinstance(index.value, (int, str)) and not isinstance(index.value, bool):
                return self.item(base, (index.value,), node)
        return Item(base, ("[]",), node)

    def _eval_GeneratorExp(self, node, env):
        """`(batch for batch in zip(a, b))` passes the iterable through unchanged: it is the iterable."""
        loop = node.for_in
        if loop.inner_for_in is None and not loop.ifs and _same_target(node.elt, loop.target):
            return self.eval(loop.iter, env.deeper())
        return Unknown(node)

    def _eval_Lambda(self, node, env):
        return Unknown(node)

    # --- helpers ---------------------------------------------------------------------------------
    def _position(self, node: cst.CSTNode) -> tuple[int, int]:
        span = self.ctx.span(node)
        return span.line, span.col


def _option_dest(option: Call, ev: Evaluator) -> str | None:
    """The attribute `add_argument("--num-classes", ...)` sets: `dest=`, else the long flag with `-` as `_`."""
    dest = string(option.arg("dest", None, ev))
    if dest:
        return dest
    flags = [string(ev.eval(arg.value, option.env)) for arg in option.positional()]
    long = next((f for f in flags if f and f.startswith("--")), None) or next((f for f in flags if f), None)
    return long.lstrip("-").replace("-", "_") if long else None


def _same_target(element: cst.BaseExpression, target: cst.BaseExpression) -> bool:
    if isinstance(element, cst.Name) and isinstance(target, cst.Name):
        return element.value == target.value
    if isinstance(element, (cst.Tuple, cst.List)) and isinstance(target, (cst.Tuple, cst.List)):
        return len(element.elements) == len(target.elements) and all(
            _same_target(a.value, b.value) for a, b in zip(element.elements, target.elements))
    return False


def _fold(symbol: str, left: Value, right: Value):
    """Constant-fold arithmetic on numbers so `1./255`, `2*n_filters` and `-1e-3` resolve."""
    if not (isinstance(left, Const) and isinstance(right, Const)):
        return None
    a, b = left.value, right.value
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (a, b)):
        return None
    try:
        if symbol == "+":
            return a + b
        if symbol == "-":
            return a - b
        if symbol == "*":
            return a * b
        if symbol == "/":
            return a / b
        if symbol == "//":
            return a // b
        if symbol == "**" and abs(b) < 64:
            return a ** b
    except (ZeroDivisionError, OverflowError, ValueError):
        return None
    return None


def number(value: Value | None) -> float | None:
    if isinstance(value, Const) and isinstance(value.value, (int, float)) and not isinstance(value.value, bool):
        return value.value
    return None


def string(value: Value | None) -> str | None:
    if isinstance(value, Const) and isinstance(value.value, str):
        return value.value
    return None

