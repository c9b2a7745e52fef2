"""Taint: which of a loss's inputs (y_true / y_pred, or a helper's parameters that received them) an
expression is computed from. Shapes, sizes and lengths of the inputs are counts, not values, and stay
untainted.

Outside a (y_true, y_pred) function the sources are the values themselves: trainable weights
(`tf.Variable`, `get_variable`, `add_weight`) are "weights", a model's output (a model or layer called on
a tensor, `tf.layers.dense(x, 10)`, a helper that builds one) is "prediction", and data fed to a graph
(`tf.placeholder`, `keras.Input`) is "target": it carries no gradient."""

from __future__ import annotations

import builtins

import libcst as cst

from kerlint.extract.numerics.memo import analysis
from kerlint.extract.numerics.resolution import Resolution, Returns
from kerlint.extract.numerics.syntax import Where, builtin_name, is_self_attribute, operands
from kerlint.extract.numerics.vocabulary import (
    COUNTS, DATA_MAKERS, GRADIENT_KINDS, LAYER_NAMESPACES, MODEL_CLASSES, SHAPE_ATTRIBUTES, TENSOR_PACKAGES,
    WEIGHT_MAKERS,
)

WEIGHTED_LAYER_WORDS = ("dense", "conv", "fully_connected", "linear", "embedding", "batch_norm", "layer_norm",
                        "separable", "rnn", "lstm", "gru")
MODEL_WORDS = ("model", "net", "encoder", "decoder", "generator", "discriminator", "classifier", "critic", "actor")
BUILTINS = frozenset(dir(builtins))
MODEL_CALL_METHODS = ("stateless_call", "call")
PREDICTION: frozenset[str] = frozenset(("prediction",))

NO_TAINT: frozenset[str] = frozenset()


def _union_taint(parts) -> frozenset[str]:
    result = NO_TAINT
    for part in parts:
        result = result | part
    return result


class Taint:
    """The taint analysis of one function, on its resolution; what a helper returns is asked of `returns`."""

    def __init__(self, resolution: Resolution, returns: Returns) -> None:
        self.module, self.ctx, self.memo = resolution.module, resolution.ctx, resolution.memo
        self.resolve, self.find = resolution.resolve, resolution.find
        self.math_name, self.user_function = resolution.math_name, resolution.user_function
        self.returns = returns

    def tainted(self, expr: cst.CSTNode, where: Where) -> bool:
        return bool(self.taint(expr, where))

    def carries_gradient(self, expr: cst.CSTNode, where: Where) -> bool:
        """Computed from the prediction or from trainable weights, not from the targets alone."""
        return bool(self.taint(expr, where) & GRADIENT_KINDS)

    @analysis(NO_TAINT)
    def taint(self, expr: cst.CSTNode, where: Where) -> frozenset[str]:
        """The kinds of input ("target", "prediction", "derived") an expression is computed from."""
        resolved = self.resolve(expr, where) if isinstance(expr, (cst.Name, cst.Attribute)) else None
        if resolved is not None:
            if resolved.source is not None:
                return frozenset((resolved.source,))
            if resolved.value is None and resolved.binding is not None and resolved.binding.iterable is not None:
                return self._loop_taint(resolved.binding.iterable, resolved.where)
            return self.taint(resolved.value, resolved.where) if resolved.value is not None else NO_TAINT
        if isinstance(expr, cst.Name) or is_self_attribute(expr):
            return NO_TAINT
        if isinstance(expr, cst.Attribute):
            if expr.attr.value in ("output", "outputs") and self._is_model(expr.value, where):
                return PREDICTION  # `model.output` in graph-mode Keras code
            return NO_TAINT if expr.attr.value in SHAPE_ATTRIBUTES else self.taint(expr.value, where)
        if isinstance(expr, cst.Call):
            return self._call_taint(expr, where)
        return _union_taint(self.taint(child, where) for child in operands(expr))

    def _loop_taint(self, iterable: cst.BaseExpression, where: Where) -> frozenset[str]:
        """A name a loop binds. Over a loader (`for images, boxes in dataset:`) it holds batches of data, as a
        train step's parameters do: computed from the targets, and no epsilon. Over a literal or a range it is
        a constant; over predictions the element's own taint is unknown, so it is left untainted as before."""
        if isinstance(iterable, (cst.List, cst.Tuple, cst.Set)):
            return NO_TAINT
        if isinstance(iterable, cst.Call) and isinstance(iterable.func, cst.Name) and iterable.func.value == "range":
            return NO_TAINT
        return NO_TAINT if self.taint(iterable, where) else frozenset(("target",))

    def _call_taint(self, call: cst.Call, where: Where) -> frozenset[str]:
        name = self.math_name(call) or builtin_name(call)
        callee = self.ctx.callee(call)
        if name in WEIGHT_MAKERS or (isinstance(call.func, cst.Attribute) and call.func.attr.value in WEIGHT_MAKERS
                                     and callee is None):
            return frozenset(("weights",))
        if callee in DATA_MAKERS:
            return frozenset(("target",))
        if self.model_output(call, callee, where):
            return PREDICTION | _union_taint(self.taint(arg.value, where) for arg in call.args)
        if name in COUNTS or (callee is not None and callee.split(".")[0] not in TENSOR_PACKAGES):
            return NO_TAINT  # a count, or another library's summary (sklearn's confusion_matrix)
        arguments = _union_taint(self.taint(arg.value, where) for arg in call.args)
        if isinstance(call.func, cst.Attribute) and self.ctx.callee(call) is None:
            if call.func.attr.value in COUNTS or call.func.attr.value in SHAPE_ATTRIBUTES:
                return NO_TAINT  # y_pred.get_shape(), x.numel()-style counts
            return arguments | self.taint(call.func.value, where)  # a method of a tensor: y_pred.sum()
        return arguments

    def source_kind(self, expr: cst.BaseExpression, where: Where) -> str | None:
        """How a helper's parameter is tainted by this argument: the caller's own kind when the argument
        is the tainted parameter itself, "derived" when computed from one with a gradient, "target" when
        computed from the targets alone, None when untainted."""
        resolved = self.resolve(expr, where)
        if resolved is not None and resolved.source is not None:
            return resolved.source
        kinds = self.taint(expr, where)
        return "derived" if kinds & GRADIENT_KINDS else "target" if kinds else None

    # --- model outputs -------------------------------------------------------------------------------
    def model_output(self, call: cst.Call, callee: str | None, where: Where) -> bool:
        """A call that produces a model's output: a functional layer with weights (`tf.layers.dense`), a
        model or layer called on a tensor (`model(x)`, `Dense(3)(h)`, `self(x)`), a helper of this module
        whose result carries weights, or an unknown function given the data fed to the graph."""
        if callee is not None:
            namespace, _, last = callee.rpartition(".")
            return (namespace.startswith(LAYER_NAMESPACES) and not namespace.startswith("keras.layers")
                    and any(word in last.lower() for word in WEIGHTED_LAYER_WORDS))
        func = call.func
        if isinstance(func, cst.Call):
            return self._builds_model(func)
        if isinstance(func, cst.Attribute) and func.attr.value in MODEL_CALL_METHODS:
            return self._is_model(func.value, where)  # `model.stateless_call(params, state, x)` (Keras 3, JAX)
        if isinstance(func, cst.Name) and func.value == "self":
            return True
        if self.user_function(call):
            return bool(self.returns.return_taint(call) & GRADIENT_KINDS)
        if isinstance(func, (cst.Name, cst.Attribute)):
            resolved = self.resolve(func, where)
            if resolved is not None and isinstance(resolved.value, cst.Call):
                return self._builds_model(resolved.value)
            if resolved is not None and resolved.value is None and resolved.binding is not None:
                return any(word in resolved.binding.name.lower() for word in MODEL_WORDS)  # a parameter `model`
            if is_self_attribute(func):
                return any(word in func.attr.value.lower() for word in MODEL_WORDS)
            if isinstance(func, cst.Name) and resolved is None and func.value not in BUILTINS:
                return any(self._is_data(arg.value, where) for arg in call.args)
        return False

    def _is_model(self, expr: cst.BaseExpression, where: Where) -> bool:
        resolved = self.resolve(expr, where) if isinstance(expr, (cst.Name, cst.Attribute)) else None
        value = resolved.value if resolved is not None else expr
        return isinstance(value, cst.Call) and self._builds_model(value)

    def _builds_model(self, construction: cst.Call, depth: int = 0) -> bool:
        """A Keras model or layer instance, an instance of a class of this module, or the result of a
        function of this module that returns one (`encoder = make_encoder()`)."""
        name = self.ctx.callee(construction)
        if name is not None:
            return name in MODEL_CLASSES or name.startswith("keras.layers.") or name.startswith("keras.applications.")
        if not isinstance(construction.func, cst.Name):
            return False
        if construction.func.value in self.ctx.tables.classes:
            return True
        factories = self.ctx.tables.functions.get(construction.func.value, [])
        return len(factories) == 1 and depth < 3 and self._returns_model(factories[0], depth + 1)

    def _returns_model(self, function: cst.FunctionDef, depth: int) -> bool:
        for statement, value in self.module.returned_values(function):
            if isinstance(value, cst.Name):
                span = self.ctx.span(statement)
                resolved = self.resolve(value, (function, (span.line, span.col)))
                value = resolved.value if resolved is not None else value
            if isinstance(value, cst.Call) and self._builds_model(value, depth):
                return True
        return False

    def _is_data(self, expr: cst.BaseExpression, where: Where) -> bool:
        """Data fed to a graph (a placeholder, a Keras Input), as written or through names."""
        return self.find(expr, where, lambda node, _: isinstance(node, cst.Call)
                         and self.ctx.callee(node) in DATA_MAKERS) is not None
