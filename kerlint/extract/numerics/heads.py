"""Model outputs written in tensor code: what activation produced a tensor (`tf.nn.softmax(...)`,
`tf.layers.dense(h, 10, activation=None)`, `Dense(3, activation="sigmoid")(h)`, `tf.matmul(x, W) + b`,
a call of a model the module builds: `model(x, training=True)`, `self.model(x)`, `self(x)` in its
`train_step`), followed through names, reshapes, indexing and the helpers of this module that return it."""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from kerlint.diagnostic import Span
from kerlint.extract.keras_api import ACTIVATION_ALIASES, ACTIVATION_LAYERS
from kerlint.extract.numerics.evaluator import Evaluator
from kerlint.extract.numerics.model_calls import literal_index, models_called, models_of_call, models_predicting
from kerlint.extract.numerics.syntax import Where, call_argument, literal_number
from kerlint.extract.numerics.vocabulary import PASSTHROUGH
from kerlint.facts import Model

# Functional layers (TF1 `tf.layers`, `tf.contrib.layers`, slim): their activation keyword and default.
FUNCTIONAL_LAYERS = {
    "dense": ("activation", "linear", ("units",), 1),
    "conv1d": ("activation", "linear", ("filters",), 1),
    "conv2d": ("activation", "linear", ("filters",), 1),
    "conv3d": ("activation", "linear", ("filters",), 1),
    "fully_connected": ("activation_fn", "relu", ("num_outputs",), 1),
    "linear": ("activation_fn", "linear", ("num_outputs",), 1),
}
LAYER_NAMESPACES = ("tensorflow.layers", "tensorflow.compat.v1.layers", "tensorflow.contrib.layers",
                    "tensorflow.contrib.slim", "tf_slim", "slim")
AFFINE = frozenset({"matmul", "xw_plus_b", "bias_add", "dot", "tensordot", "einsum"})
KEEPS_HEAD = PASSTHROUGH | {"dropout"}


@dataclass(frozen=True)
class Head:
    """The activation a tensor comes out of."""

    name: str  # canonical activation: "softmax", "sigmoid", "relu", "linear", ...
    node: cst.CSTNode  # where it is chosen (the activation call, the activation= argument, the layer)
    layer: str  # the layer or op as written
    units: int | None = None
    span: Span | None = None  # where it is chosen, when known from a model's facts rather than `node`


def head_of(evaluator: Evaluator, expr: cst.BaseExpression, where: Where, depth: int = 0) -> Head | None:
    """The activation `expr` comes out of; None when it cannot be told."""
    if depth > 40:
        return None
    if isinstance(expr, (cst.Name, cst.Attribute)):
        resolved = evaluator.resolve(expr, where)
        if resolved is None:
            return None
        models, index = models_predicting(evaluator, resolved)
        if models:
            return _head_of_models(models, expr, index)
        if resolved.value is None or not resolved.exact:
            return None
        return head_of(evaluator, resolved.value, resolved.where, depth + 1)
    if isinstance(expr, cst.Subscript):
        index = literal_index(expr)
        if index is not None:  # model(x)[1]: the second output of a multi-output model
            models = models_of_call(evaluator, expr.value, where)
            if models and all(model.outputs is not None and len(model.outputs) > 1 for model in models):
                return _head_of_models(models, expr, index)
        return head_of(evaluator, expr.value, where, depth + 1)
    if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, (cst.Add, cst.Subtract)):
        left = head_of(evaluator, expr.left, where, depth + 1)
        if left is not None and left.name == "linear":
            return Head("linear", expr, evaluator.ctx.text(expr), left.units)
        return None
    if isinstance(expr, cst.Call):
        return _call_head(evaluator, expr, where, depth)
    return None


def _call_head(evaluator: Evaluator, call: cst.Call, where: Where, depth: int) -> Head | None:
    ctx = evaluator.ctx
    name = evaluator.math_name(call)
    if name in ACTIVATION_ALIASES and name != "linear":
        return Head(ACTIVATION_ALIASES[name], call, ctx.text(call))
    if name in AFFINE:
        return Head("linear", call, ctx.text(call))
    if name == "add":
        first = call_argument(call, 0, ("x",))
        inner = head_of(evaluator, first, where, depth + 1) if first is not None else None
        return Head("linear", call, ctx.text(call)) if inner is not None and inner.name == "linear" else None
    if name in KEEPS_HEAD:
        first = call_argument(call, 0, ("x", "tensor", "input", "inputs"))
        return head_of(evaluator, first, where, depth + 1) if first is not None else None
    callee = ctx.callee(call)
    if callee is not None:
        namespace, _, last = callee.rpartition(".")
        if namespace.startswith(LAYER_NAMESPACES):
            if last in FUNCTIONAL_LAYERS:
                return _functional_layer(evaluator, call, last, where)
            if last in ("dropout", "flatten", "batch_normalization"):
                first = call_argument(call, 0, ("inputs", "x"))
                return head_of(evaluator, first, where, depth + 1) if first is not None and last != "batch_normalization" else None
        return None
    if isinstance(call.func, (cst.Call, cst.Name, cst.Attribute)):
        layer = _layer_instance(evaluator, call.func, where)
        if layer is not None:
            return _keras_layer(evaluator, call, layer, where, depth)
        model_head = _model_head(evaluator, call, where)
        if model_head is not None:
            return model_head
    if evaluator.user_function(call):
        return _returned_head(evaluator, call, depth)
    return None


def _model_head(evaluator: Evaluator, call: cst.Call, where: Where) -> Head | None:
    """`model(x)`: the output activation of the model called."""
    return _head_of_models(models_called(evaluator, call.func, where), call)


def _head_of_models(models: list[Model], node: cst.CSTNode, index: int | None = None) -> Head | None:
    """The output activation of the models a value can be, when they all agree on it: their one output, or
    output `index` of multi-output models (an index into a single output's tensor keeps its activation)."""
    if not models or any(model.outputs is None for model in models):
        return None
    chosen = []
    for model in models:
        if len(model.outputs) == 1:
            chosen.append(model.outputs[0].activation)
        elif index is not None and index < len(model.outputs):
            chosen.append(model.outputs[index].activation)
        else:
            return None
    if len({(activation.name, activation.span) for activation in chosen}) != 1 or chosen[0].name is None:
        return None
    activation = chosen[0]
    return Head(activation.name, node, activation.layer, activation.units, span=activation.span)


def _functional_layer(evaluator: Evaluator, call: cst.Call, kind: str, where: Where) -> Head:
    keyword, default, unit_keywords, unit_index = FUNCTIONAL_LAYERS[kind]
    units_value = call_argument(call, unit_index, unit_keywords)
    units = evaluator.value(units_value, where) if units_value is not None else None
    units = int(units) if units is not None and float(units).is_integer() else None
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == keyword:
            name = activation_name(evaluator, arg.value)
            return Head(name, arg, evaluator.ctx.text(call, 80), units) if name else Head("unknown", arg, "", units)
    return Head(default, call, evaluator.ctx.text(call, 80), units)


def _layer_instance(evaluator: Evaluator, func: cst.BaseExpression, where: Where) -> cst.Call | None:
    """The Keras layer construction a called value is (`Dense(3)` of `Dense(3)(h)`)."""
    construction = func
    if isinstance(func, (cst.Name, cst.Attribute)):
        resolved = evaluator.resolve(func, where)
        construction = resolved.value if resolved is not None else None
    if not isinstance(construction, cst.Call):
        return None
    callee = evaluator.ctx.callee(construction) or ""
    return construction if callee.startswith("keras.layers.") else None


def _keras_layer(evaluator: Evaluator, call: cst.Call, layer: cst.Call, where: Where, depth: int) -> Head | None:
    ctx = evaluator.ctx
    kind = (ctx.callee(layer) or "").rpartition(".")[2]
    if kind == "TimeDistributed":  # TimeDistributed(Dense(17))(h): the Dense, applied at every step
        inner = _layer_instance(evaluator, call_argument(layer, 0, ("layer",)) or layer, where)
        if inner is None or inner is layer:
            return None
        layer, kind = inner, (ctx.callee(inner) or "").rpartition(".")[2]
    if kind in ACTIVATION_LAYERS:
        return Head(ACTIVATION_LAYERS[kind], layer, ctx.text(layer))
    if kind == "Activation":
        chosen = call_argument(layer, 0, ("activation",))
        name = activation_name(evaluator, chosen) if chosen is not None else None
        return Head(name, layer, ctx.text(layer)) if name else None
    if kind in ("Dropout", "Flatten", "Reshape"):
        first = call_argument(call, 0, ("inputs",))
        return head_of(evaluator, first, where, depth + 1) if first is not None else None
    if kind != "Dense":
        return None
    units_value = call_argument(layer, 0, ("units",))
    units = literal_number(units_value) if units_value is not None else None
    units = int(units) if units is not None and units.is_integer() else None
    chosen = call_argument(layer, 1, ("activation",))
    if chosen is None:
        return Head("linear", layer, ctx.text(layer), units)
    name = activation_name(evaluator, chosen)
    return Head(name, chosen, ctx.text(layer), units) if name else None


def _returned_head(evaluator: Evaluator, call: cst.Call, depth: int) -> Head | None:
    definitions = evaluator.ctx.tables.functions.get(call.func.value, [])
    if len(definitions) != 1:
        return None
    function = definitions[0]
    inner = evaluator.analyses.evaluator(function, {})
    heads = [head_of(inner, value, inner.where(statement), depth + 1)
             for statement, value in evaluator.module.returned_values(function)]
    if heads and all(head is not None and head.name == heads[0].name for head in heads):
        return heads[0]
    return None


def activation_name(evaluator: Evaluator, value: cst.BaseExpression) -> str | None:
    """`None`, "softmax", `tf.nn.relu`, `keras.activations.sigmoid` -> a canonical activation name."""
    if isinstance(value, cst.Name) and value.value == "None":
        return "linear"
    if isinstance(value, cst.SimpleString):
        return ACTIVATION_ALIASES.get(value.evaluated_value.lower()) if isinstance(value.evaluated_value, str) else None
    name = evaluator.ctx.qualify(value)
    if name:
        return ACTIVATION_ALIASES.get(name.rpartition(".")[2])
    return None
