"""Differentiated objectives written outside compile(): every expression that reaches a gradient.

`tape.gradient(loss, ...)`, `optimizer.minimize(loss)` (Keras, `tf.train`, `tf.compat.v1.train`),
`optimizer.compute_gradients(loss)`, `tf.gradients(loss, ...)`, `add_loss(term)` and the value an
overridden `compute_loss` returns. Each gives a root expression, read where the call stands; its slice
is every numeric op the root reaches through names, indexing and tensor functions, and the helpers of
this module it calls (analyzed with the taint of their arguments)."""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst

from kerlint.extract.collect import CallSite, Scope
from kerlint.extract.names import dotted
from kerlint.extract.numerics.evaluator import Analyses
from kerlint.extract.numerics.op_index import is_op_node
from kerlint.extract.numerics.syntax import Where, call_argument, operands
from kerlint.extract.numerics.signatures import parameter_kind, positional_params
from kerlint.extract.numerics.taint import MODEL_WORDS

# method name -> (keyword of the objective, how the context reads)
GRADIENT_METHODS = {
    "minimize": (("loss",), "the loss passed to minimize()"),
    "compute_gradients": (("loss",), "the loss passed to compute_gradients()"),
    "gradient": (("target",), "the target of tape.gradient()"),
    "add_loss": (("losses", "loss"), "the term passed to add_loss()"),
}
GRADIENT_FUNCTIONS = {"tensorflow.gradients": (("ys",), "the target of tf.gradients()"),
                      "tensorflow.compat.v1.gradients": (("ys",), "the target of tf.gradients()"),
                      "jax.grad": (("fun",), "the function jax.grad() differentiates"),
                      "jax.value_and_grad": (("fun",), "the function jax.value_and_grad() differentiates")}
LOSS_METHODS = ("compute_loss",)


@dataclass
class Objective:
    roots: list[tuple[cst.BaseExpression, Where]]
    scope: Scope  # where the objective is read: its evaluator's function (None: the module)
    name: str  # how messages name it, e.g. "cross_entropy, the loss passed to minimize()"
    anchor: cst.CSTNode
    sources: dict[str, str] = field(default_factory=dict)  # for an overridden compute_loss: its y_pred
    ops: list[tuple[cst.CSTNode, Where]] = field(default_factory=list)
    helpers: list[tuple[cst.Call, Where]] = field(default_factory=list)


def _backward(call: cst.Call) -> bool:
    func = call.func
    return (isinstance(func, cst.Attribute) and func.attr.value == "backward" and isinstance(func.value, cst.Name)
            and func.value.value != "self")


class Objectives:
    def __init__(self, analyses: Analyses) -> None:
        self.analyses = analyses
        self.module = analyses.module
        self.ctx = self.module.ctx

    def find(self) -> list[Objective]:
        found: list[Objective] = []
        for site in self.ctx.tables.calls:
            objective = self._from_call(site)
            if objective is not None:
                found.append(objective)
        for name in LOSS_METHODS:
            for function in self.ctx.tables.functions.get(name, []):
                if function in self.ctx.tables.function_class:
                    found.append(self._from_returns(function, f"{self.module.display_name(function)}"))
        for objective in found:
            self._data_parameters(objective)
            self._slice(objective)
        return found

    def _data_parameters(self, objective: Objective) -> None:
        """The other parameters of the function an objective is read in are its data (`train_step(self,
        data)`, `step(model, images, masks)`): no gradient flows into them. Models are left out: calling
        one gives a prediction."""
        function = objective.scope
        if not isinstance(function, cst.FunctionDef):
            return
        kind = "derived" if self._layer_call(function) else "target"
        for param in positional_params(function) + list(function.params.kwonly_params):
            name = param.name.value
            if name not in objective.sources and not any(word in name.lower() for word in MODEL_WORDS):
                objective.sources[name] = kind

    def _layer_call(self, function: cst.FunctionDef) -> bool:
        """`call` of a Layer subclass: its inputs are the outputs of the layers before it, so a gradient
        flows through them (`self.add_loss(...)` of a VAE's loss layer)."""
        owner = self.ctx.tables.function_class.get(function)
        return (function.name.value == "call" and owner is not None
                and any((dotted(base.value) or "").split(".")[-1] == "Layer" for base in owner.bases))

    def _from_call(self, site: CallSite) -> Objective | None:
        call = site.call
        callee = self.ctx.callee(call)
        if callee in GRADIENT_FUNCTIONS:
            keywords, context = GRADIENT_FUNCTIONS[callee]
        elif isinstance(call.func, cst.Attribute) and call.func.attr.value in GRADIENT_METHODS and callee is None:
            keywords, context = GRADIENT_METHODS[call.func.attr.value]
        elif _backward(call) and callee is None:  # `loss.backward()`: a Keras 3 train_step on the torch backend
            root = call.func.value
            return Objective([(root, (site.scope, site.position))], site.scope,
                             f"{self.ctx.text(root, 40)}, the tensor backward() differentiates", root)
        else:
            return None
        root = call_argument(call, 0, keywords)
        if root is None:
            return None
        where: Where = (site.scope, site.position)
        if isinstance(root, cst.Lambda):  # minimize(lambda: loss_fn(...), var_list)
            return Objective([(root.body, where)], site.scope, context, root.body)
        defined = self._function_named(root, site.scope)
        if defined is not None:  # minimize(loss_fn, var_list): the function's return values
            objective = self._from_returns(defined, f"{defined.name.value}, {context}")
            params = defined.params.params
            if callee in GRADIENT_FUNCTIONS and params:  # jax.grad(f): f's first argument is what is trained
                objective.sources.setdefault(params[0].name.value, "weights")
            return objective
        name = self.ctx.text(root, 40)
        label = f"{name}, {context}" if isinstance(root, (cst.Name, cst.Attribute)) else context
        return Objective([(root, where)], site.scope, label, root)

    def _function_named(self, expr: cst.BaseExpression, scope: Scope) -> cst.FunctionDef | None:
        if not isinstance(expr, cst.Name) or expr.value in self.ctx.tables.bindings.get(scope, {}):
            return None
        definitions = self.ctx.tables.functions.get(expr.value, [])
        return definitions[0] if len(definitions) == 1 else None

    def _from_returns(self, function: cst.FunctionDef, name: str) -> Objective:
        roots = []
        for statement, value in self.module.returned_values(function):
            start = self.ctx.span(statement)
            roots.append((value, (function, (start.line, start.col))))
        sources = {param.name.value: kind for param in [*function.params.params, *function.params.kwonly_params]
                   if (kind := parameter_kind(param.name.value)) is not None}
        return Objective(roots, function, name, function.name, sources)

    # --- the slice -----------------------------------------------------------------------------------
    def _slice(self, objective: Objective) -> None:
        evaluator = self.analyses.evaluator(objective.scope, objective.sources)
        seen: set[tuple[int, int, object]] = set()
        pending = list(objective.roots)
        while pending:
            expr, where = pending.pop()
            key = (id(expr), id(where[0]), where[1])
            if key in seen or len(seen) > 5000:
                continue
            seen.add(key)
            if isinstance(expr, cst.Lambda):
                continue
            if is_op_node(expr):
                objective.ops.append((expr, where))
            if isinstance(expr, (cst.Name, cst.Attribute)):
                resolved = evaluator.resolve(expr, where)
                if resolved is not None:
                    if resolved.value is not None:
                        pending.append((resolved.value, resolved.where))
                    continue
                if isinstance(expr, cst.Name):
                    continue
            if isinstance(expr, cst.Call):
                if evaluator.user_function(expr):
                    objective.helpers.append((expr, where))
                children = [arg.value for arg in expr.args]
                if isinstance(expr.func, (cst.Attribute, cst.Call)) and self.ctx.callee(expr) is None:
                    children.append(expr.func.value if isinstance(expr.func, cst.Attribute) else expr.func)
            else:
                children = operands(expr)
            pending.extend((child, where) for child in children if isinstance(child, cst.BaseExpression))
        objective.ops.sort(key=lambda item: (self.ctx.span(item[0]).line, self.ctx.span(item[0]).col))
