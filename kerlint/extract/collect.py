"""The one batched visit over a module: collects what the resolvers need, nothing more.

Everything later (values, models, custom losses) works on these tables, never walks the tree again.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field

import libcst as cst
from libcst._nodes.internal import CodegenState

from kerlint.diagnostic import Span
from kerlint.extract.names import CONVENTIONS, ImportTable, canonical, dotted

NEWLINE = re.compile(r"\r\n?|\n")  # what libcst counts as a line break
Scope = cst.FunctionDef | cst.ClassDef | None  # None is the module


@dataclass
class Binding:
    """`name = value` (or a parameter, or an augmented assignment) seen in one scope."""

    name: str
    value: cst.BaseExpression | None  # None for a parameter without default
    node: cst.CSTNode  # the statement (or Param) that binds it
    position: tuple[int, int]
    path: tuple[int, ...] = ()  # index path for tuple unpacking: `(a, b), c = v` gives a the path (0, 0)
    augmented: cst.BaseAugOp | None = None  # for `name op= value`
    param_of: cst.FunctionDef | None = None
    arms: tuple[tuple[int, int], ...] = ()  # (id of an enclosing `if`, 0 for its body / 1 for its else)
    iterable: cst.BaseExpression | None = None  # for a loop variable: what the loop iterates over


def alternatives(chosen: Binding, bindings: list[Binding]) -> bool:
    """Another of `bindings` binds the name in the other arm of an `if` that `chosen` sits in: which value
    the name holds depends on the condition (`if n == 2: act = "sigmoid" else: act = "softmax"`)."""
    if not chosen.arms:
        return False
    arms = dict(chosen.arms)
    return any(other is not chosen and any(arms.get(node, arm) != arm for node, arm in other.arms)
               for other in bindings)


@dataclass
class CallSite:
    call: cst.Call
    scope: Scope
    position: tuple[int, int]


@dataclass
class Collected:
    imports: ImportTable = field(default_factory=ImportTable)
    bound_names: set[str] = field(default_factory=set)
    bindings: dict[Scope, dict[str, list[Binding]]] = field(default_factory=dict)
    functions: dict[str, list[cst.FunctionDef]] = field(default_factory=dict)
    function_scope: dict[cst.FunctionDef, Scope] = field(default_factory=dict)  # where each def stands
    function_class: dict[cst.FunctionDef, cst.ClassDef] = field(default_factory=dict)
    classes: dict[str, cst.ClassDef] = field(default_factory=dict)
    class_attributes: dict[cst.ClassDef, dict[str, list[Binding]]] = field(default_factory=dict)
    returns: dict[cst.FunctionDef, list[cst.Return]] = field(default_factory=dict)
    calls: list[CallSite] = field(default_factory=list)
    # calls, divisions, powers and their augmented assignments: where numeric ops can be, in source order
    op_nodes: list[cst.CSTNode] = field(default_factory=list)
    products: list[cst.BinaryOperation] = field(default_factory=list)  # multiplications, inner ones first
    lambdas: list[cst.Lambda] = field(default_factory=list)


class _Recording:
    """`with state.record_syntactic_position(node)`: notes where a node's own text starts and ends."""

    __slots__ = ("walk", "node", "start_node", "end_node", "start")

    def __init__(self, walk: "Collector", node, start_node, end_node) -> None:
        self.walk, self.node, self.start_node, self.end_node = walk, node, start_node, end_node

    def __enter__(self) -> None:
        self.start = self.walk.offset

    def __exit__(self, *exc) -> None:
        ranges = self.walk.ranges
        start = ranges[id(self.start_node)][0] if self.start_node is not None else self.start
        end = ranges[id(self.end_node)][1] if self.end_node is not None else self.walk.offset
        ranges[id(self.node)] = (start, end)


class Collector(CodegenState):
    """One pass over the module, riding on libcst's code generation: it yields every node in source
    order with its position (what PositionProvider computes, at a fraction of the cost), and the
    visit_/leave_ methods below fill the tables as nodes go by.

    During the pass a position is a character offset into the generated text (one addition per
    token); ModuleContext turns offsets into lines and columns afterwards, for the nodes that need it."""

    def __init__(self, module: cst.Module) -> None:
        super().__init__(default_indent=module.default_indent, default_newline=module.default_newline)
        self.offset = 0
        # id(node) -> (start offset, end offset); ids, not nodes, because a node's __hash__ is a Python
        # call and this table gets an entry per node. The module keeps every node alive, so ids are unique.
        self.ranges: dict[int, tuple[int, int]] = {}
        self._starts: list[int] = []
        self.out = Collected()
        self._scopes: list[Scope] = [None]
        self._arms: list[list] = []  # [if node, arm] of the `if` statements around the current node
        self._visits = self._handlers("visit_")
        self._leaves = self._handlers("leave_")

    # --- code generation hooks -------------------------------------------------------------------
    def add_indent_tokens(self) -> None:
        for token in self.indent_tokens:
            self.add_token(token)

    def add_token(self, value: str) -> None:
        self.tokens.append(value)
        self.offset += len(value)

    def pop_trailing_newline(self) -> None:
        pass

    def record_syntactic_position(self, node, *, start_node=None, end_node=None):
        return _Recording(self, node, start_node, end_node)

    # These two run for every node of the module: kept to a few dictionary operations.
    def before_codegen(self, node: cst.CSTNode) -> None:
        self._starts.append(self.offset)
        visit = self._visits.get(type(node))
        if visit is not None:
            visit(node)

    def after_codegen(self, node: cst.CSTNode) -> None:
        self.ranges.setdefault(id(node), (self._starts.pop(), self.offset))  # a syntactic position wins
        leave = self._leaves.get(type(node))
        if leave is not None:
            leave(node)

    def _handlers(self, prefix: str) -> dict[type, object]:
        """{libcst node class: bound method} for this class's visit_X / leave_X methods."""
        return {getattr(cst, name[len(prefix):]): getattr(self, name)
                for name in dir(type(self)) if name.startswith(prefix) and hasattr(cst, name[len(prefix):])}

    # --- helpers ---------------------------------------------------------------------------------
    @property
    def scope(self) -> Scope:
        return self._scopes[-1]

    def _function_scope(self) -> Scope:
        for scope in reversed(self._scopes):
            if not isinstance(scope, cst.ClassDef):
                return scope
        return None

    def _start(self, node: cst.CSTNode) -> int:
        """Where the node currently being visited starts (valid inside visit_ methods), as an offset."""
        return self._starts[-1]

    def _here(self) -> int:
        """Where the node being left ends (valid inside leave_ methods): bindings take effect there."""
        return self.offset

    def _bind(self, name: str, value, node, path=(), augmented=None, param_of=None, iterable=None) -> None:
        target_scope = self._function_scope()
        self.out.bound_names.add(name)
        position = self._here() if param_of is None else self._start(param_of)
        arms = tuple((id(entry[0]), entry[1]) for entry in self._arms)
        binding = Binding(name, value, node, position, path, augmented, param_of, arms, iterable)
        self.out.bindings.setdefault(target_scope, {}).setdefault(name, []).append(binding)

    def _bind_target(self, target: cst.BaseExpression, value, statement, path=()) -> None:
        if isinstance(target, cst.Name):
            self._bind(target.value, value, statement, path)
        elif isinstance(target, (cst.Tuple, cst.List)):
            for index, element in enumerate(target.elements):
                inner = element.value
                if isinstance(element, cst.StarredElement):
                    self._bind_target(inner, None, statement)
                else:
                    self._bind_target(inner, value, statement, path + (index,))
        elif isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name) and target.value.value == "self":
            owner = self._enclosing_class()
            if owner is not None:
                binding = Binding(target.attr.value, value, statement, self._here(), path)
                self.out.class_attributes.setdefault(owner, {}).setdefault(target.attr.value, []).append(binding)

    def _enclosing_class(self) -> cst.ClassDef | None:
        for scope in reversed(self._scopes):
            if isinstance(scope, cst.ClassDef):
                return scope
        return None

    # --- visits ----------------------------------------------------------------------------------
    def visit_Import(self, node: cst.Import) -> None:
        self.out.imports.add(node)
        for alias in node.names:
            local = alias.asname.name.value if alias.asname else (dotted(alias.name) or "").split(".")[0]
            self.out.bound_names.add(local)

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        self.out.imports.add(node)
        if not isinstance(node.names, cst.ImportStar):
            for alias in node.names:
                local = alias.asname.name.value if alias.asname else dotted(alias.name)
                if local:
                    self.out.bound_names.add(local)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        name = node.name.value
        self.out.bound_names.add(name)
        self.out.functions.setdefault(name, []).append(node)
        self.out.function_scope[node] = self._function_scope()
        owner = self.scope if isinstance(self.scope, cst.ClassDef) else None
        if owner is not None:
            self.out.function_class[node] = owner
        self._scopes.append(node)
        params = node.params
        for param in [*params.posonly_params, *params.params, *params.kwonly_params]:
            self._bind(param.name.value, param.default, param, param_of=node)
        for star in (params.star_arg, params.star_kwarg):
            if isinstance(star, cst.Param):
                self._bind(star.name.value, None, star, param_of=node)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._scopes.pop()

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.out.bound_names.add(node.name.value)
        self.out.classes[node.name.value] = node
        self._scopes.append(node)

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self._scopes.pop()

    def visit_Lambda(self, node: cst.Lambda) -> None:
        self.out.lambdas.append(node)
        for param in node.params.params:
            self.out.bound_names.add(param.name.value)

    def leave_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._bind_target(target.target, node.value, node)

    def leave_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._bind_target(node.target, node.value, node)

    def leave_AugAssign(self, node: cst.AugAssign) -> None:
        if isinstance(node.target, cst.Name):
            self._bind(node.target.value, node.value, node, augmented=node.operator)

    def leave_NamedExpr(self, node: cst.NamedExpr) -> None:
        if isinstance(node.target, cst.Name):
            self._bind(node.target.value, node.value, node)

    def visit_For(self, node: cst.For) -> None:
        self._bind_loose(node.target, node.iter)

    def visit_CompFor(self, node: cst.CompFor) -> None:
        self._bind_loose(node.target, node.iter)

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None:
            self._bind_loose(node.asname.name)

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        if node.name is not None:
            self._bind_loose(node.name.name)

    def _bind_loose(self, target: cst.BaseExpression, iterable: cst.BaseExpression | None = None) -> None:
        """Names bound by loops, with, except: their values are unknown (a loop's names come from `iterable`)."""
        if isinstance(target, cst.Name):
            self._bind(target.value, None, target, iterable=iterable)
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self._bind_loose(element.value, iterable)

    def visit_If(self, node: cst.If) -> None:
        if self._arms and self._arms[-1][0].orelse is node:  # an elif: the else arm of the `if` before it
            self._arms[-1][1] = 1
        self._arms.append([node, 0])

    def visit_Else(self, node: cst.Else) -> None:
        if self._arms:
            self._arms[-1][1] = 1

    def leave_If(self, original_node: cst.If) -> None:
        self._arms.pop()

    def visit_Return(self, node: cst.Return) -> None:
        scope = self._function_scope()
        if isinstance(scope, cst.FunctionDef):
            self.out.returns.setdefault(scope, []).append(node)

    def visit_Call(self, node: cst.Call) -> None:
        self.out.calls.append(CallSite(node, self._function_scope(), self._start(node)))
        self.out.op_nodes.append(node)

    def visit_BinaryOperation(self, node: cst.BinaryOperation) -> None:
        if type(node.operator) in (cst.Divide, cst.Power):
            self.out.op_nodes.append(node)

    def leave_BinaryOperation(self, node: cst.BinaryOperation) -> None:
        if type(node.operator) is cst.Multiply:
            self.out.products.append(node)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        if type(node.operator) in (cst.DivideAssign, cst.PowerAssign):
            self.out.op_nodes.append(node)


class ModuleContext:
    """What every resolver needs: positions, source text, import-aware names, the collected tables."""

    def __init__(self, module: cst.Module, path: str) -> None:
        self.module = module
        self.path = path
        collector = Collector(module)
        module._codegen(collector)
        self.ranges = collector.ranges  # id(node) -> (start, end) offsets into the text
        self.tables = collector.out
        self._text = text = "".join(collector.tokens)
        self._line_starts = [0] + [match.end() for match in NEWLINE.finditer(text)]
        self._to_line_columns()
        self._calls_by_name: dict[str, list[CallSite]] | None = None
        self._qualified: dict[tuple[int, bool], str | None] = {}
        self._methods: dict[cst.ClassDef, list[cst.FunctionDef]] = {}
        # A parameter's value over all its call sites, by id(binding), shared by the module's evaluators
        # (values.Evaluator): each argument may be another function's parameter, so without it a chain of
        # helpers is evaluated once per path through the call graph (exponential in the chain's length).
        self.parameters_over_call_sites: dict[int, object] = {}

    def position(self, offset: int) -> tuple[int, int]:
        """(line, column) of an offset into the module's text."""
        line = bisect_right(self._line_starts, offset)
        return line, offset - self._line_starts[line - 1]

    def _to_line_columns(self) -> None:
        """The collector notes where bindings and calls are as offsets; resolvers compare (line, column)."""
        tables = self.tables
        for per_scope in (*tables.bindings.values(), *tables.class_attributes.values()):
            for bindings in per_scope.values():
                for binding in bindings:
                    binding.position = self.position(binding.position)
        for site in tables.calls:
            site.position = self.position(site.position)

    def span(self, node: cst.CSTNode) -> Span:
        found = self.ranges.get(id(node))
        if found is None:
            return Span.point(1)
        return Span(*self.position(found[0]), *self.position(found[1]))

    def text(self, node: cst.CSTNode, limit: int = 120) -> str:
        """The node's source as written (one line, whitespace runs folded), cut at `limit` characters."""
        found = self.ranges.get(id(node))
        if found is None:
            code = self.module.code_for_node(node)
        else:
            code = self._text[found[0]:found[1]]
        code = code.strip()
        code = " ".join(code.split()) if "\n" in code or "\r" in code else code
        return code if len(code) <= limit else code[: limit - 3] + "..."

    def qualify(self, expr: cst.BaseExpression, fold: bool = True) -> str | None:
        """The canonical API name an expression refers to (`K.log` -> "keras.backend.log"), or None
        for anything that is a program's own variable. `fold=False` keeps the submodule path
        (`keras.layers.core.Dense`) for checks that care where a name was imported from."""
        key = (id(expr), fold)  # asked again and again for the same callees: answered once
        if key not in self._qualified:
            self._qualified[key] = self._qualify(expr, fold)
        return self._qualified[key]

    def _qualify(self, expr: cst.BaseExpression, fold: bool) -> str | None:
        name = dotted(expr)
        if not name:
            return None
        head, _, rest = name.partition(".")
        aliases = self.tables.imports.aliases
        if head in aliases:
            base = aliases[head]
        elif head in self.tables.bound_names:
            return None
        elif head in CONVENTIONS:
            base = CONVENTIONS[head]
        else:
            return None
        full = f"{base}.{rest}" if rest else base
        return canonical(full) if fold else full

    def methods(self, owner: cst.ClassDef) -> list[cst.FunctionDef]:
        """The methods `owner` defines itself, in source order."""
        if owner not in self._methods:
            self._methods[owner] = [f for f, c in self.tables.function_class.items() if c is owner]
        return self._methods[owner]

    def inherited_method(self, cls: cst.ClassDef, names: tuple[str, ...], depth: int = 0) -> cst.FunctionDef | None:
        """The first method named one of `names` that `cls` defines, or inherits from a base class of this
        module (five levels at most)."""
        for method in self.methods(cls):
            if method.name.value in names:
                return method
        for base in cls.bases:
            if isinstance(base.value, cst.Name) and base.value.value in self.tables.classes and depth < 5:
                found = self.inherited_method(self.tables.classes[base.value.value], names, depth + 1)
                if found is not None:
                    return found
        return None

    def method_containing(self, owner: cst.ClassDef, position: tuple[int, int]) -> cst.FunctionDef | None:
        """The method of `owner` whose source contains `position`."""
        for method in self.methods(owner):
            span = self.span(method)
            if (span.line, span.col) <= position <= (span.end_line, span.end_col):
                return method
        return None

    def calls_named(self, name: str) -> list[CallSite]:
        """Calls whose function is `name(...)` or `something.name(...)`, in source order."""
        if self._calls_by_name is None:
            index: dict[str, list[CallSite]] = {}
            for site in self.tables.calls:
                func = site.call.func
                key = func.value if isinstance(func, cst.Name) else func.attr.value if isinstance(func, cst.Attribute) else None
                if key is not None:
                    index.setdefault(key, []).append(site)
            self._calls_by_name = index
        return self._calls_by_name.get(name, [])

    def callee(self, call: cst.Call) -> str | None:
        return self.qualify(call.func)
