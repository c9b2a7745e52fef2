"""Resolution, the first of a function's analyses: where a custom function's names live, what a name (or
`self.attr`) stands for at a point, and a search through an expression and the values of the names it
reads. The other analyses are handed it (see `evaluator`).

Which binding a name read sees, and what a factory's parameter is passed, are the shared
`bindings.NameResolver`'s answers (with the last arm of an `if` standing for both); then enclosing
functions (loss factories) and the module."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Protocol

import libcst as cst

from kerlint.extract.bindings import AMBIGUOUS, UNBOUND
from kerlint.extract.collect import Binding, Scope
from kerlint.extract.numerics.intervals import Range
from kerlint.extract.numerics.memo import analysis
from kerlint.extract.numerics.module import ModuleAnalysis
from kerlint.extract.numerics.syntax import Function, Position, Where, call_argument, inside, is_self_attribute, operands, unpack

AUGMENTED_OPERATORS = {cst.AddAssign: cst.Add, cst.SubtractAssign: cst.Subtract, cst.MultiplyAssign: cst.Multiply,
                       cst.DivideAssign: cst.Divide, cst.PowerAssign: cst.Power}

FUNCTIONAL_OPERATORS = {"add": cst.Add, "subtract": cst.Subtract, "multiply": cst.Multiply, "divide": cst.Divide,
                        "true_divide": cst.Divide, "truediv": cst.Divide}


@dataclass(frozen=True)
class Resolved:
    """What a name (or `self.attr`) stands for at a point."""

    source: str | None = None  # "target", "prediction" or "derived" for a tainted parameter
    value: cst.BaseExpression | None = None
    where: Where = (None, None)
    exact: bool = True  # False for an element of an unpacked value we cannot index
    binding: Binding | None = None


class Returns(Protocol):
    """What a helper of the module returns, for a call to it: asked of the helper's own analyses (by
    `evaluator.Analyses`), so that taint and ranges never reach up to the object that composes them."""

    def return_taint(self, call: cst.Call) -> frozenset[str]: ...

    def return_range(self, call: cst.Call, assumption: str) -> Range: ...


class Resolution:
    def __init__(self, module: ModuleAnalysis, function: Function, sources: dict[str, str]) -> None:
        self.module = module
        self.ctx = module.ctx
        self.function = function
        self.sources = sources  # parameter name -> "target" | "prediction" | "derived"
        # Where the body's names live: the function itself, or for a lambda the scope around it.
        self.scope: Scope = module.scope_of(function) if isinstance(function, cst.Lambda) else function
        self.memo: dict = {}  # shared by the analyses built on this one (keys name the analysis)
        self._synthetic: dict[int, cst.BaseExpression] = {}  # keeps augmented and functional-operator expressions alive

    def start(self, node: cst.CSTNode) -> Position:
        span = self.ctx.span(node)
        return span.line, span.col

    def where(self, node: cst.CSTNode) -> Where:
        """Where an expression of this function's body is evaluated."""
        return self.scope, self.start(node)

    # --- calls ---------------------------------------------------------------------------------------
    def math_name(self, call: cst.Call) -> str | None:
        """`K.log(...)` -> "log" when the callee is a tensor-math function of a known namespace."""
        return self.module.math_name(call)

    def user_function(self, call: cst.Call) -> bool:
        return isinstance(call.func, cst.Name) and call.func.value in self.ctx.tables.functions

    def reduces(self, expr: cst.BaseExpression, names, operand: cst.BaseExpression) -> bool:
        """`expr` is a reduction (one of `names`) of `operand` itself, as written: K.sum(x) of x."""
        if not (isinstance(expr, cst.Call) and self.math_name(expr) in names):
            return False
        reduced = call_argument(expr, 0, ("x", "input_tensor"))
        return reduced is not None and self.ctx.text(reduced) == self.ctx.text(operand)

    def arithmetic(self, expr: cst.BaseExpression) -> cst.BaseExpression:
        """`ops.add(a, b)`, `tf.math.subtract`, `multiply`, `divide`, `negative` (NumPy-free Keras 3, tf.math)
        as the operator expression they compute, so that guards and ranges read them as `a + b`; any other
        expression as it is."""
        if not isinstance(expr, cst.Call):
            return expr
        name = self.math_name(expr)
        positional = [arg.value for arg in expr.args if arg.keyword is None and not arg.star]
        if name in FUNCTIONAL_OPERATORS and len(positional) == 2 == len(expr.args):
            operator = FUNCTIONAL_OPERATORS[name]()
        elif name == "negative" and len(positional) == 1 == len(expr.args):
            operator = None
        else:
            return expr
        key = id(expr)
        if key not in self._synthetic:
            self._synthetic[key] = (cst.BinaryOperation(positional[0], operator, positional[1]) if operator is not None
                                    else cst.UnaryOperation(cst.Minus(), positional[0]))
        return self._synthetic[key]

    # --- names ---------------------------------------------------------------------------------------
    def resolve(self, expr: cst.BaseExpression, where: Where) -> Resolved | None:
        if isinstance(expr, cst.Name):
            return self._resolve_name(expr.value, where)
        if is_self_attribute(expr):
            return self._resolve_self_attribute(expr.attr.value, where)
        return None

    def _resolve_name(self, name: str, where: Where) -> Resolved | None:
        if isinstance(self.function, cst.Lambda) and name in self.sources and self._inside_lambda(where):
            return Resolved(source=self.sources[name])
        # an if's arms: the last one as written stands for both (its taint, its guard)
        found = self.module.names.lookup(where[0], name, where[1], branches=False)
        if found is None or found[1] is UNBOUND:
            return None
        return self._binding_value(found[1], found[0])

    def _inside_lambda(self, where: Where) -> bool:
        scope, at = where
        return scope is self.scope and at is not None and inside(at, self.ctx.span(self.function))

    def _binding_value(self, binding: Binding, scope: Scope) -> Resolved:
        if binding.param_of is not None:
            if binding.param_of is self.function and binding.name in self.sources:
                return Resolved(source=self.sources[binding.name], binding=binding)
            passed = self.module.argument_passed(binding)
            if passed is AMBIGUOUS:
                return Resolved(binding=binding)
            if passed is not None:  # dice_loss(smooth=1e-12) at its one call site overrides the default
                return Resolved(value=passed.argument, where=(passed.site.scope, passed.site.position))
            outer = self.ctx.tables.function_scope.get(binding.param_of)
            return Resolved(value=binding.value, where=(outer, None), binding=binding)
        where = (scope, self.start(binding.node))  # its value reads the names as they were before it
        if binding.augmented is not None:
            return Resolved(value=self._augmented_expression(binding), where=where, binding=binding)
        value, exact = unpack(binding.value, binding.path)
        if not exact and binding.path and isinstance(binding.value, cst.Name):
            # `y_pred, labels = args` where args names a list: the element, from where the list is written
            whole = self.resolve(binding.value, where)
            if whole is not None and whole.exact and isinstance(whole.value, (cst.Tuple, cst.List)):
                element, exact = unpack(whole.value, binding.path)
                if exact:
                    return Resolved(value=element, where=whole.where, binding=binding)
        return Resolved(value=value, where=where, exact=exact, binding=binding)

    def _augmented_expression(self, binding: Binding) -> cst.BaseExpression | None:
        """`x += e` as the expression `x + e`, with x read before the statement."""
        operator = AUGMENTED_OPERATORS.get(type(binding.augmented))
        if operator is None or binding.value is None:
            return None
        key = id(binding.node)
        if key not in self._synthetic:
            self._synthetic[key] = cst.BinaryOperation(cst.Name(binding.name), operator(), binding.value)
        return self._synthetic[key]

    def _resolve_self_attribute(self, attr: str, where: Where) -> Resolved | None:
        found = self.module.names.attribute_binding(where[0], attr)
        if found is None:
            return None
        binding, method = found
        value, exact = unpack(binding.value, binding.path)
        return Resolved(value=value, where=(method, self.start(binding.node)), exact=exact, binding=binding)

    # --- search --------------------------------------------------------------------------------------
    def find(self, expr: cst.CSTNode, where: Where, test: Callable[[cst.CSTNode, Where], bool]) -> cst.CSTNode | None:
        """The first node, in expr or in the values of the names it reads, that passes `test`."""
        return self._find(expr, where, test)

    @analysis(None)
    def _find(self, expr: cst.CSTNode, where: Where, test) -> cst.CSTNode | None:
        if test(expr, where):
            return expr
        if isinstance(expr, (cst.Name, cst.Attribute)):
            resolved = self.resolve(expr, where)
            if resolved is not None and resolved.value is not None:
                return self._find(resolved.value, resolved.where, test)
            if isinstance(expr, cst.Name) or resolved is not None:
                return None
        children = [arg.value for arg in expr.args] if isinstance(expr, cst.Call) else operands(expr)
        if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute) and self.ctx.callee(expr) is None:
            children = [expr.func.value, *children]
        for child in children:
            found = self._find(child, where, test)
            if found is not None:
                return found
        return None
