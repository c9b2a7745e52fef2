"""Models: where they are built, their outputs and each output's effective final activation.

Decides from layer classes and their configuration, never from layer names.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst

from kerlint.extract import keras_api as api
from kerlint.extract.names import keras_member
from kerlint.extract.values import ApiRef, Call, Const, Evaluator, Mapping, Seq, Value, number, string
from kerlint.extract.shapes import describe_path, input_shape_of
from kerlint.facts import Activation, Model, Output

MODEL_CALLEES = ("keras.Model", "keras.Sequential")
MAX_LAYERS_WALKED = 200


def _application(callee: str | None) -> bool:
    """A model constructor of keras.applications (`ResNet50`, `keras.applications.mobilenet_v2.MobileNetV2`)."""
    namespace, _, last = (callee or "").rpartition(".")
    return namespace.startswith("keras.applications") and last[:1].isupper()


@dataclass(frozen=True)
class BuiltModels:
    """The models a module builds, by the node of the call that builds each (`keras.Sequential(...)`,
    `build_model()`, `Net(inputs, outputs)`) and by the Model subclass of the module they are instances of."""

    by_node: dict[int, Model] = field(default_factory=dict)
    by_class: dict[int, list[Model]] = field(default_factory=dict)


class ModelBuilder:
    def __init__(self, ev: Evaluator) -> None:
        self.ev = ev
        self.ctx = ev.ctx
        self._nesting = 0  # models used as layers of models, being resolved

    # --- what is a model ---------------------------------------------------------------------------
    def is_model_call(self, value: Value | None) -> bool:
        if not isinstance(value, Call):
            return False
        if value.callee in MODEL_CALLEES or _application(value.callee):
            return True
        return isinstance(value.function, cst.ClassDef) and self._subclasses_model(value.function)

    def _subclasses_model(self, cls: cst.ClassDef, depth: int = 0) -> bool:
        for base in cls.bases:
            name = self.ctx.qualify(base.value)
            if name in MODEL_CALLEES:
                return True
            if isinstance(base.value, cst.Name) and base.value.value in self.ctx.tables.classes and depth < 5:
                if self._subclasses_model(self.ctx.tables.classes[base.value.value], depth + 1):
                    return True
        return False

    def model_of(self, value: Value | None) -> Call | None:
        """The model-building call a value evaluates to (through the program's own functions)."""
        value = self.ev.unwrap(value)
        return value if self.is_model_call(value) else None

    # --- facts -----------------------------------------------------------------------------------
    def build(self, call: Call) -> Model:
        model = Model(
            text=self.ctx.text(call.node, 80),
            span=self.ctx.span(call.node),
            outputs=self._outputs(call),
            scales_inputs=self._scales_inputs(call),
        )
        path = self._layer_path(call)
        if path is not None:
            describe_path(model, path, self)
        return model

    def _layer_path(self, call: Call) -> tuple[list[Call], Value | None] | None:
        """The layers from the input to the (first) output, and the input's shape where written."""
        if call.callee == "keras.Sequential":
            layers = [self.ev.unwrap(layer) for layer in self.sequential_layers(call)]
            if not layers or not all(isinstance(layer, Call) for layer in layers):
                return None
            shape = None
            for layer in layers:
                shape = shape or input_shape_of(layer, self.ev)
            return [layer for layer in layers if not self._is_input(layer)], shape
        if call.callee == "keras.Model":
            tensor = self.ev.unwrap(call.arg("outputs", 1, self.ev) or call.arg("output", None, self.ev))
            path: list[Call] = []
            for _ in range(MAX_LAYERS_WALKED):
                tensor = self.ev.unwrap(tensor)
                if isinstance(tensor, (Seq, Mapping)) and tensor.items:
                    items = tensor.items if isinstance(tensor, Seq) else list(tensor.items.values())
                    tensor = self.ev.unwrap(items[0])
                if isinstance(tensor, Call) and tensor.callee == "keras.Input":
                    return list(reversed(path)), tensor.arg("shape", 0, self.ev)
                if not isinstance(tensor, Call) or tensor.target is None:
                    return None
                layer = self.ev.unwrap(tensor.target)
                if not isinstance(layer, Call) or self.layer_kind(layer) is None:
                    return None
                path.append(layer)
                tensor = tensor.arg("inputs", 0, self.ev)
        return None

    def _outputs(self, call: Call) -> list[Output] | None:
        if call.callee == "keras.Sequential":
            layers = self.sequential_layers(call)
            if not layers:
                return None
            activation = self._from_layer_list(layers)
            return [self._output(activation, layers[-1])] if activation else None
        if call.callee == "keras.Model":
            outputs = call.arg("outputs", 1, self.ev) or call.arg("output", None, self.ev)
            return self._tensor_outputs(outputs)
        if _application(call.callee):
            return self._application_outputs(call)
        if isinstance(call.function, cst.ClassDef):
            if self.ctx.inherited_method(call.function, ("call", "__init__")) is None:
                # a subclass that overrides only train_step/compute_loss: built like keras.Model(inputs, outputs)
                return self._tensor_outputs(call.arg("outputs", 1, self.ev) or call.arg("output", None, self.ev))
            return self._subclass_outputs(call.function)
        return None

    def _tensor_outputs(self, outputs: Value | None) -> list[Output] | None:
        outputs = self.ev.unwrap(outputs)
        if outputs is None:
            return None
        if isinstance(outputs, Mapping):  # keras.Model(inputs, {"name": tensor, ...}): the keys name the outputs
            named = list(outputs.items.items())
        else:
            named = [(None, tensor) for tensor in (outputs.items if isinstance(outputs, Seq) else [outputs])]
        found = []
        for name, tensor in named:
            activation = self._from_tensor(tensor)
            if activation is None:
                return None
            output = self._output(activation, tensor)
            output.name = name or self._layer_name(tensor)
            found.append(output)
        return found or None

    def _layer_name(self, tensor: Value | None) -> str | None:
        """The name= of the layer that produces a tensor: `Dense(5, name="class_output")(x)`."""
        tensor = self.ev.unwrap(tensor)
        if not isinstance(tensor, Call) or tensor.target is None:
            return None
        layer = self.ev.unwrap(tensor.target)
        return string(self.ev.unwrap(layer.arg("name", None, self.ev))) if isinstance(layer, Call) else None

    def _application_outputs(self, call: Call) -> list[Output] | None:
        """keras.applications.ResNet50(weights=None, classes=10): with its top (the default), a Dense over
        `classes` (1000) with `classifier_activation` ("softmax"). Positional arguments are left unread
        (their order differs between applications)."""
        if call.positional():
            return None
        include_top = self.ev.unwrap(call.arg("include_top", None, self.ev))
        if include_top is not None and not (isinstance(include_top, Const) and include_top.value is True):
            return None
        classes = call.arg("classes", None, self.ev)
        units = 1000 if classes is None else number(self.ev.unwrap(classes))
        units = int(units) if units is not None and float(units).is_integer() else None
        chosen = call.arg_node("classifier_activation")
        name = "softmax" if chosen is None else self.activation_name(call.arg("classifier_activation", None, self.ev))
        if name is None:
            return None
        where = chosen if chosen is not None else call.node
        activation = Activation(name, self.ctx.span(where), self.ctx.text(call.node, 80), units)
        return [Output(activation=activation, layer_span=self.ctx.span(call.node))]

    def _subclass_outputs(self, cls: cst.ClassDef) -> list[Output] | None:
        for method in self.ctx.methods(cls):
            if method.name.value == "call":
                returns = [r for r in self.ctx.tables.returns.get(method, []) if r.value is not None]
                if returns:
                    env = self.ev.env_at(returns[-1], method)
                    return self._tensor_outputs(self.ev.eval(returns[-1].value, env))
        return None

    def _output(self, activation: Activation, where: Value) -> Output:
        node = where.node if where is not None and where.node is not None else None
        return Output(activation=activation, layer_span=self.ctx.span(node) if node is not None else activation.span)

    # --- Sequential ------------------------------------------------------------------------------
    def sequential_layers(self, model: Call) -> list[Value]:
        layers: list[Value] = []
        initial = self.ev.unwrap(model.arg("layers", 0, self.ev))
        if isinstance(initial, Seq):
            layers += initial.items
        for site in self.ctx.calls_named("add"):
            func = site.call.func
            if isinstance(func, cst.Attribute) and len(site.call.args) >= 1:
                receiver = self.ev.unwrap(self.ev.eval(func.value, self.ev.env_at(site.call, site.scope)))
                if isinstance(receiver, Call) and receiver.node is model.node:
                    env = self.ev.env_at(site.call, site.scope)
                    layers.append(self.ev.eval(site.call.args[0].value, env))
        return layers

    def _from_layer_list(self, layers: list[Value]) -> Activation | None:
        for index in range(len(layers) - 1, -1, -1):
            layer = self.ev.unwrap(layers[index])
            kind = self.layer_kind(layer)
            if kind in api.RANGE_PRESERVING_LAYERS or self._is_identity(layer, kind):
                continue
            activation = self._layer_activation(layer, kind)
            if activation is not None and activation.units is None and kind in ("Activation", *api.ACTIVATION_LAYERS):
                activation.units = self._units_in_list(layers[:index])
            return activation
        return None

    def _units_in_list(self, layers: list[Value]) -> int | None:
        for layer in reversed(layers):
            layer = self.ev.unwrap(layer)
            kind = self.layer_kind(layer)
            if kind in api.AXIS_CHANGING_LAYERS:
                return None  # Flatten over (steps, 1) is `steps` units, not 1
            if kind in api.RANGE_PRESERVING_LAYERS or kind == "Activation" or kind in api.ACTIVATION_LAYERS:
                continue
            return self._units(layer, kind)
        return None

    # --- functional ------------------------------------------------------------------------------
    def _from_tensor(self, tensor: Value | None) -> Activation | None:
        for _ in range(MAX_LAYERS_WALKED):
            tensor = self.ev.unwrap(tensor)
            if not isinstance(tensor, Call):
                return None
            if tensor.target is not None:  # a layer applied to a tensor: Dense(2)(x)
                layer = self.ev.unwrap(tensor.target)
                kind = self.layer_kind(layer)
                incoming = tensor.arg("inputs", 0, self.ev)
                if kind in api.RANGE_PRESERVING_LAYERS or self._is_identity(layer, kind):
                    tensor = incoming
                    continue
                activation = self._layer_activation(layer, kind)
                if activation is not None and activation.units is None and (kind == "Activation" or kind in api.ACTIVATION_LAYERS):
                    activation.units = self._units_of_tensor(incoming)
                return activation
            name = self._activation_function(tensor.callee)
            if name is not None:  # tf.nn.softmax(x), keras.ops.sigmoid(x)
                return Activation(name, self.ctx.span(tensor.node), self.ctx.text(tensor.node, 60),
                                  self._units_of_tensor(tensor.arg("x", 0, self.ev)))
            return None
        return None

    def _units_of_tensor(self, tensor: Value | None) -> int | None:
        for _ in range(MAX_LAYERS_WALKED):
            tensor = self.ev.unwrap(tensor)
            if not isinstance(tensor, Call) or tensor.target is None:
                return None
            layer = self.ev.unwrap(tensor.target)
            kind = self.layer_kind(layer)
            if kind in api.AXIS_CHANGING_LAYERS:
                return None  # Flatten over (steps, 1) is `steps` units, not 1
            if kind in api.RANGE_PRESERVING_LAYERS or kind == "Activation" or kind in api.ACTIVATION_LAYERS:
                tensor = tensor.arg("inputs", 0, self.ev)
                continue
            return self._units(layer, kind)
        return None

    # --- one layer -------------------------------------------------------------------------------
    def _is_identity(self, layer: Value | None, kind: str | None) -> bool:
        """Activation('linear', dtype='float32'): the mixed-precision cast after a softmax, not the output activation."""
        return kind == "Activation" and self.activation_name(layer.arg("activation", 0, self.ev)) == "linear"

    def layer_kind(self, layer: Value | None) -> str | None:
        if isinstance(layer, Call):
            return keras_member(layer.callee, "layers")
        return None

    def _wrapped(self, layer: Value | None, kind: str | None) -> tuple[Value | None, str | None]:
        """TimeDistributed(Dense(17)) applies the Dense at every step: its activation and units are the Dense's."""
        if kind == "TimeDistributed" and isinstance(layer, Call):
            inner = self.ev.unwrap(layer.arg("layer", 0, self.ev))
            return inner, self.layer_kind(inner)
        return layer, kind

    def _units(self, layer: Value, kind: str | None) -> int | None:
        layer, kind = self._wrapped(layer, kind)
        if not isinstance(layer, Call) or kind not in api.UNITS_ARGUMENT:
            return None
        value = layer.arg(api.UNITS_ARGUMENT[kind], 0, self.ev) or layer.arg("output_dim", None, self.ev)
        units = number(value)
        return int(units) if units is not None and float(units).is_integer() else None

    def _layer_activation(self, layer: Value | None, kind: str | None) -> Activation | None:
        layer, kind = self._wrapped(layer, kind)
        if kind is None and self.is_model_call(layer):
            return self._nested_model_activation(layer)
        if not isinstance(layer, Call) or kind is None:
            return None
        text = self.ctx.text(layer.node, 80)
        if kind == "Activation":
            arg = layer.arg_node("activation", 0)
            value = layer.arg("activation", 0, self.ev)
            where = arg if arg is not None else layer.node
            return Activation(self.activation_name(value), self.ctx.span(where), text)
        if kind in api.ACTIVATION_LAYERS:
            return Activation(api.ACTIVATION_LAYERS[kind], self.ctx.span(layer.node), text)
        if kind in api.UNBOUNDED_LAYERS:
            return Activation("linear", self.ctx.span(layer.node), text)
        if kind in api.DEFAULT_ACTIVATION:
            units = self._units(layer, kind)
            index = 1 if kind in ("Dense", "LSTM", "GRU", "SimpleRNN") else None
            arg = layer.arg_node("activation", index)
            if arg is None:
                return Activation(api.DEFAULT_ACTIVATION[kind], self.ctx.span(layer.node), text, units)
            name = self.activation_name(layer.arg("activation", index, self.ev))
            return Activation(name, self.ctx.span(arg), text, units)
        return None

    def _nested_model_activation(self, model: Call) -> Activation | None:
        """A model of the module used as a layer (`Sequential([encoder, classifier])`, `classifier(features)`):
        the activation of its one output."""
        if self._nesting > 4:
            return None
        self._nesting += 1
        try:
            outputs = self._outputs(model)
        finally:
            self._nesting -= 1
        return outputs[0].activation if outputs is not None and len(outputs) == 1 else None

    def activation_name(self, value: Value | None) -> str | None:
        value = self.ev.unwrap(value)
        if isinstance(value, Const):
            if value.value is None:
                return "linear"
            if isinstance(value.value, str):
                return api.ACTIVATION_ALIASES.get(value.value.lower())
            return None
        if isinstance(value, ApiRef):
            return self._activation_function(value.name)
        if isinstance(value, Call):
            kind = self.layer_kind(value)
            return api.ACTIVATION_LAYERS.get(kind) if kind else None
        return None

    @staticmethod
    def _activation_function(name: str | None) -> str | None:
        if not name:
            return None
        module, _, last = name.rpartition(".")
        if module in ("keras.activations", "keras.ops", "tensorflow.nn", "tensorflow.math", "keras.backend"):
            return api.ACTIVATION_ALIASES.get(last)
        return None

    # --- input scaling ---------------------------------------------------------------------------
    def _scales_inputs(self, call: Call) -> bool | None:
        if call.callee == "keras.Sequential":
            for layer in self.sequential_layers(call):
                kind = self.layer_kind(self.ev.unwrap(layer))
                if kind in ("InputLayer", None) and self._is_input(layer):
                    continue
                if kind in api.INDEX_INPUT_LAYERS:
                    return None
                return kind in api.INPUT_SCALING_LAYERS if kind else None
            return None
        if call.callee == "keras.Model":
            return self._functional_scales_inputs(call.arg("outputs", 1, self.ev) or call.arg("output", None, self.ev))
        return None

    def _is_input(self, layer: Value) -> bool:
        layer = self.ev.unwrap(layer)
        return isinstance(layer, Call) and (layer.callee == "keras.Input" or self.layer_kind(layer) == "InputLayer")

    def _functional_scales_inputs(self, tensor: Value | None) -> bool | None:
        """Walk from an output back along first inputs to the model input; is the first layer a scaler?"""
        tensor = self.ev.unwrap(tensor)
        if isinstance(tensor, Seq) and tensor.items:
            tensor = tensor.items[0]
        first_kind = None
        for _ in range(MAX_LAYERS_WALKED):
            tensor = self.ev.unwrap(tensor)
            if isinstance(tensor, Seq) and tensor.items:
                tensor = self.ev.unwrap(tensor.items[0])
            if isinstance(tensor, Call) and tensor.callee == "keras.Input":
                if first_kind in api.INDEX_INPUT_LAYERS:
                    return None
                return first_kind in api.INPUT_SCALING_LAYERS if first_kind else None
            if not isinstance(tensor, Call) or tensor.target is None:
                return None
            first_kind = self.layer_kind(self.ev.unwrap(tensor.target))
            if first_kind is None:
                return None
            tensor = tensor.arg("inputs", 0, self.ev)
        return None
