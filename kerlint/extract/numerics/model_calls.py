"""Calls of the models a module builds, in tensor code: which of its models (their facts, from
`extract.models`) a called value is — `model(x, training=True)`, `self.model(x)`, a helper that builds and
returns one, `self(x)` in a Model subclass's `train_step` — and the names that hold a model's prediction
without a call written: a `compute_loss` override's `y_pred`, `model.stateless_call(...)`'s first item, an
output unpacked from a multi-output model."""

from __future__ import annotations

import libcst as cst

from kerlint.extract.numerics.evaluator import Evaluator
from kerlint.extract.numerics.resolution import Resolved
from kerlint.extract.numerics.syntax import Where, literal_number
from kerlint.facts import Model


def models_called(evaluator: Evaluator, func: cst.BaseExpression, where: Where, depth: int = 0) -> list[Model]:
    """The models of the module a called value is: a name or `self.attr` bound to a model's construction (or
    to a helper's call that returns one), or `self` inside a method of a Model subclass the module builds."""
    built = evaluator.module.models
    if depth > 8:
        return []
    if isinstance(func, cst.Name) and func.value == "self":
        cls = enclosing_class(evaluator, where[0])
        return built.by_class.get(id(cls), []) if cls is not None else []
    if isinstance(func, (cst.Name, cst.Attribute)):
        resolved = evaluator.resolve(func, where)
        if resolved is None or resolved.value is None or not resolved.exact:
            return []
        return models_called(evaluator, resolved.value, resolved.where, depth + 1)
    if not isinstance(func, cst.Call):
        return []
    if id(func) in built.by_node:
        return [built.by_node[id(func)]]
    definitions = evaluator.ctx.tables.functions.get(func.func.value, []) if evaluator.user_function(func) else []
    if len(definitions) != 1:
        return []
    inner = evaluator.analyses.evaluator(definitions[0], {})  # a helper that builds and returns the model
    return [model for statement, value in evaluator.module.returned_values(definitions[0])
            for model in models_called(inner, value, inner.where(statement), depth + 1)]


def models_predicting(evaluator: Evaluator, resolved: Resolved) -> tuple[list[Model], int | None]:
    """Names bound to a model's prediction that resolution cannot follow, and the output they hold: the
    `y_pred` of a Model subclass's `compute_loss` override, the first item of what `model.stateless_call(...)`
    returns (JAX-style loops), an item unpacked from a call of a multi-output model (`aux, main = model(x)`)."""
    binding = resolved.binding
    if binding is None:
        return [], None
    method = binding.param_of
    if method is not None and method.name.value == "compute_loss" and binding.name == "y_pred":
        cls = evaluator.ctx.tables.function_class.get(method)
        return (evaluator.module.models.by_class.get(id(cls), []) if cls is not None else []), None
    value = resolved.value
    if resolved.exact or len(binding.path) != 1 or not isinstance(value, cst.Call):
        return [], None
    if isinstance(value.func, cst.Attribute) and value.func.attr.value == "stateless_call":
        return (models_called(evaluator, value.func.value, resolved.where), None) if binding.path == (0,) else ([], None)
    models = models_called(evaluator, value.func, resolved.where)
    if models and all(model.outputs is not None and len(model.outputs) > 1 for model in models):
        return models, binding.path[0]
    return [], None


def models_of_call(evaluator: Evaluator, expr: cst.BaseExpression, where: Where) -> list[Model]:
    """The models a call (`model(x)`, or a name bound to one) is a call of."""
    if isinstance(expr, cst.Name):
        resolved = evaluator.resolve(expr, where)
        if resolved is None or resolved.value is None or not resolved.exact:
            return []
        expr, where = resolved.value, resolved.where
    return models_called(evaluator, expr.func, where) if isinstance(expr, cst.Call) else []


def enclosing_class(evaluator: Evaluator, scope) -> cst.ClassDef | None:
    """The class a method (or a function nested in one) belongs to."""
    tables = evaluator.ctx.tables
    for _ in range(8):
        if not isinstance(scope, cst.FunctionDef):
            return None
        if scope in tables.function_class:
            return tables.function_class[scope]
        scope = tables.function_scope.get(scope)
    return None


def literal_index(subscript: cst.Subscript) -> int | None:
    """The literal integer of `value[1]`."""
    if len(subscript.slice) != 1 or not isinstance(subscript.slice[0].slice, cst.Index):
        return None
    value = literal_number(subscript.slice[0].slice.value)
    return int(value) if value is not None and value >= 0 and float(value).is_integer() else None
