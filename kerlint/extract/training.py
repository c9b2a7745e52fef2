"""compile() / fit() and what feeds them: losses, optimizers, metrics, callbacks, data generators and
what is known about the arrays used as inputs and targets."""

from __future__ import annotations

import libcst as cst

from kerlint.extract import keras_api as api
from kerlint.extract.collect import CallSite, ModuleContext
from kerlint.extract.models import BuiltModels, ModelBuilder
from kerlint.extract.mutations import InPlaceWrites
from kerlint.extract.names import keras_member
from kerlint.extract.ranges import RangeEvaluator, dataset_label_bounds, keras_dataset, split_source
from kerlint.extract.values import (ApiRef, BinOp, Call, Const, Evaluator, FunctionRef, Item, Mapping, Seq,
                                    Value, number, string)
from kerlint.facts import (Callback, Compile, DataRange, Generator, Loss, Metric, Model, ModuleFacts, Optimizer,
                           TrainingRun)

GENERATOR_CALLEE = "keras.preprocessing.image.ImageDataGenerator"
FLOW_METHODS = ("flow", "flow_from_directory", "flow_from_dataframe")
PASSTHROUGH_METHODS = ("astype", "reshape", "copy", "squeeze", "cache", "prefetch", "shuffle", "batch", "repeat",
                       "unbatch", "take", "skip")
PASSTHROUGH_FUNCTIONS = ("numpy.expand_dims", "numpy.reshape", "numpy.array", "numpy.asarray", "numpy.float32",
                         "numpy.squeeze", "tensorflow.convert_to_tensor", "tensorflow.cast", "keras.ops.cast",
                         "keras.ops.convert_to_tensor", "numpy.stack", "numpy.concatenate")
STD_FUNCTIONS = ("numpy.std", "numpy.nanstd", "keras.ops.std", "tensorflow.math.reduce_std", "keras.backend.std")
MEAN_FUNCTIONS = ("numpy.mean", "numpy.nanmean", "keras.ops.mean", "tensorflow.math.reduce_mean", "keras.backend.mean")
STANDARDIZING_CALLS = ("sklearn.preprocessing.scale", "tensorflow.image.per_image_standardization")
RAW_IMAGE_LOADERS = ("keras.utils.image_dataset_from_directory",)
# Decoders that return an image file's 0..255 pixels (matplotlib's imread is left out: it gives PNGs as 0..1).
IMAGE_DECODERS = ("cv2.imread", "PIL.Image.open", "keras.utils.load_img", "keras.preprocessing.image.load_img",
                  "imageio.imread", "imageio.v2.imread", "imageio.v3.imread", "skimage.io.imread",
                  "tensorflow.io.decode_jpeg", "tensorflow.io.decode_png", "tensorflow.io.decode_image",
                  "tensorflow.image.decode_jpeg", "tensorflow.image.decode_png", "tensorflow.image.decode_image")
# Calls and methods that resize or convert an image without rescaling its values.
IMAGE_PASSTHROUGH_FUNCTIONS = ("cv2.resize", "cv2.cvtColor", "keras.utils.img_to_array",
                               "keras.preprocessing.image.img_to_array", "tensorflow.image.resize",
                               "skimage.transform.resize_local_mean")
IMAGE_PASSTHROUGH_METHODS = ("resize", "convert", "crop", "rotate")
MAX_STEPS = 40


class TrainingExtractor:
    def __init__(self, ctx: ModuleContext, ev: Evaluator) -> None:
        self.ctx = ctx
        self.ev = ev
        self.models = ModelBuilder(ev)
        self.optimizers: dict[cst.Call, Optimizer] = {}
        self.generators: dict[cst.Call, Generator] = {}
        self.callbacks: dict[cst.Call, Callback] = {}
        self.model_facts: dict[cst.CSTNode, Model] = {}
        self.compile_scopes: list[tuple[object, Compile]] = []
        self.class_models: dict[cst.ClassDef, list[Model]] = {}  # models built from a Model subclass of the module
        self.roles: dict[cst.FunctionDef, str] = {}
        self.ranges = RangeEvaluator(ev)
        self._writes: InPlaceWrites | None = None

    def extract(self, facts: ModuleFacts) -> None:
        sites = self.ctx.tables.calls
        for site in sites:
            self._construction(site)
        for site in sites:
            method = _method_name(site.call)
            if method == "compile":
                self._compile(site)
        for site in sites:
            if _method_name(site.call) in api.TRAINING_METHODS:
                self._fit(site)
        self._attach_callbacks()
        self._module_settings(facts)
        facts.models += self.model_facts.values()
        facts.optimizers += self.optimizers.values()
        facts.generators += self.generators.values()
        facts.callbacks += self.callbacks.values()

    def built_models(self) -> BuiltModels:
        """The models built in the module, for the analyses of tensor code that calls them."""
        by_node = {id(key): model for key, model in self.model_facts.items() if isinstance(key, cst.CSTNode)}
        return BuiltModels(by_node, {id(cls): models for cls, models in self.class_models.items()})

    def _module_settings(self, facts: ModuleFacts) -> None:
        """What the module sets for every model: a float16 policy, CTC losses, the Keras it imports."""
        for site in self.ctx.tables.calls:
            callee = self.ctx.callee(site.call)
            if callee in api.CTC_LOSSES:
                facts.ctc_losses.append(self.ctx.span(site.call))
            elif callee in api.FLOAT16_SETTERS and site.call.args:
                value = string(self.ev.unwrap(self.ev.eval(site.call.args[0].value, self.ev.env_at(site.call, site.scope))))
                if value == "float16":  # mixed_float16 keeps variables and optimizer slots in float32
                    facts.float16 = facts.float16 or self.ctx.span(site.call)
        imported = self.ctx.tables.imports.aliases.values()
        facts.keras_imports = sorted({name for name in imported if "keras" in name})
        if any(name == "tf_keras" or name.startswith("tf_keras.") for name in imported):
            facts.target_keras = "2"

    # --- constructions: optimizers, generators, callbacks, models ----------------------------------
    def _construction(self, site: CallSite) -> None:
        callee = self.ctx.callee(site.call)
        optimizer_class = keras_member(callee, "optimizers")
        env = self.ev.env_at(site.call, site.scope)
        tf1 = _tf1_optimizer(callee)
        if optimizer_class in api.OPTIMIZER_DEFAULTS:
            call = Call(site.call, env, self.ctx, callee=callee)
            self.optimizers[site.call] = self._optimizer_from_call(call, optimizer_class)
        elif tf1 is not None:
            call = Call(site.call, env, self.ctx, callee=callee)
            self.optimizers[site.call] = self._optimizer_from_call(call, tf1[0], tf1)
        elif callee == GENERATOR_CALLEE:
            self.generators[site.call] = self._generator(Call(site.call, env, self.ctx, callee=callee))
        elif keras_member(callee, "callbacks") in api.MONITORING_CALLBACKS:
            self.callbacks[site.call] = self._callback(Call(site.call, env, self.ctx, callee=callee), site)
        else:
            value = self.ev.eval(site.call, env)
            if self.models.is_model_call(value):
                model = self.models.build(value)
                self.model_facts[site.call] = model
                if isinstance(value.function, cst.ClassDef) and value.node is site.call:
                    self.class_models.setdefault(value.function, []).append(model)

    def _optimizer_from_call(self, call: Call, name: str, tf1: tuple | None = None) -> Optimizer:
        params: dict[str, float | bool | None] = dict(api.OPTIMIZER_DEFAULTS[name])
        positional = api.OPTIMIZER_POSITIONAL[name]
        renamed = api.RENAMED_OPTIMIZER_ARGUMENTS
        if tf1 is not None:
            _, positional, defaults, renamed = tf1
            params.update(defaults)
        given: set[str] = set()
        spans = {}
        provided: list[tuple[str, Value, cst.CSTNode]] = []
        for index, arg in enumerate(call.positional()):
            if index < len(positional):
                provided.append((positional[index], self.ev.eval(arg.value, call.env), arg))
        keywords = call.keywords(self.ev)
        for keyword, (value, where) in keywords.items():
            provided.append((renamed.get(keyword) or keyword, value, where))
        schedule = False
        for param, value, where in provided:
            if param == "learning_rate" and _is_schedule(self.ev.unwrap(value)):
                schedule = True
            given.add(param)
            spans[param] = self.ctx.span(where)
            resolved = self.ev.unwrap(value)
            if isinstance(resolved, Const) and resolved.value is None and param in api.OPTIMIZER_DEFAULTS[name]:
                continue  # Keras 2's epsilon=None means "the backend default"
            if isinstance(resolved, Const) and isinstance(resolved.value, (int, float, bool)):
                params[param] = resolved.value
            else:
                params.pop(param, None)
        if "decay" in given and params.get("decay"):
            schedule = True  # Keras 2's decay= shrinks the rate every step
        return Optimizer(name=name, text=self.ctx.text(call.node, 100), span=self.ctx.span(call.node), params=params,
                         given=frozenset(given), param_spans=spans, schedule=schedule, keywords=frozenset(keywords))

    def _optimizer(self, value: Value | None) -> Optimizer | None:
        resolved = self.ev.unwrap(value)
        if isinstance(resolved, Call) and resolved.node in self.optimizers:
            return self.optimizers[resolved.node]
        text = string(resolved)
        if text and text.lower() in api.OPTIMIZER_STRINGS:
            name = api.OPTIMIZER_STRINGS[text.lower()]
            return Optimizer(name=name, text=repr(text), span=self.ctx.span(resolved.node),
                             params=dict(api.OPTIMIZER_DEFAULTS[name]))
        return None

    def _generator(self, call: Call) -> Generator:
        options, spans = {}, {}
        for keyword, (value, where) in call.keywords(self.ev).items():
            resolved = self.ev.unwrap(value)
            options[keyword] = resolved.value if isinstance(resolved, Const) else resolved
            spans[keyword] = self.ctx.span(where)
        return Generator(text=self.ctx.text(call.node, 100), span=self.ctx.span(call.node), options=options,
                         option_spans=spans)

    def _callback(self, call: Call, site: CallSite) -> Callback:
        name = keras_member(call.callee, "callbacks")
        index = 1 if name == "ModelCheckpoint" else 0
        node = call.arg_node("monitor", index)
        if node is None:
            monitor: str | None = api.MONITORING_CALLBACKS[name]
            monitor_span = self.ctx.span(call.node)
        else:
            monitor = string(self.ev.unwrap(call.arg("monitor", index, self.ev)))
            monitor_span = self.ctx.span(node)
        callback = Callback(name=name, text=self.ctx.text(call.node, 100), span=self.ctx.span(call.node),
                            monitor=monitor, monitor_span=monitor_span)
        if name == "ModelCheckpoint":  # without save_best_only it saves every time and never reads monitor
            best = self.ev.unwrap(call.arg("save_best_only", 3, self.ev))
            callback.acts_on_monitor = best is not None and not (isinstance(best, Const) and not best.value)
        self._callback_scopes = getattr(self, "_callback_scopes", {})
        self._callback_scopes[site.call] = site.scope
        return callback

    # --- compile ---------------------------------------------------------------------------------
    def _model_for(self, site: CallSite) -> Model | None:
        """The model a compile()/fit() call is made on; None when the receiver is evidently something
        else (an ImageDataGenerator, a scikit-learn scaler)."""
        receiver = site.call.func.value  # type: ignore[attr-defined]
        env = self.ev.env_at(site.call, site.scope)
        value = self.ev.unwrap(self.ev.eval(receiver, env))
        built = self.models.model_of(value)
        if built is None and isinstance(value, Call) and not _returns_model(value):
            return None
        key = built.node if built is not None else self._receiver_key(receiver, site)
        if key not in self.model_facts:
            self.model_facts[key] = Model(text=self.ctx.text(receiver, 60), span=self.ctx.span(receiver))
        return self.model_facts[key]

    def _receiver_key(self, receiver: cst.BaseExpression, site: CallSite):
        """An unresolved model: compile() and fit() on the same variable in one scope are one model."""
        text = self.ctx.text(receiver)
        for key, model in self.model_facts.items():
            if isinstance(key, tuple) and key == (site.scope, text):
                return key
        return (site.scope, text)

    def _compile(self, site: CallSite) -> None:
        env = self.ev.env_at(site.call, site.scope)
        call = Call(site.call, env, self.ctx, method="compile")
        compiled = Compile(span=self.ctx.span(site.call))
        compiled.optimizer = self._optimizer(call.arg("optimizer", 0, self.ev))
        if compiled.optimizer is None:  # arguments in the wrong order still name the optimizer used
            for arg in site.call.args:
                compiled.optimizer = compiled.optimizer or self._optimizer(self.ev.eval(arg.value, env))
        loss_node = call.arg_node("loss", 1)
        if loss_node is not None:
            compiled.losses = self._losses(self.ev.eval(loss_node.value, env), loss_node)
        metrics_node = call.arg_node("metrics")
        compiled.metrics = [] if metrics_node is None else self._metrics(self.ev.eval(metrics_node.value, env))
        model = self._model_for(site)
        if self._reports_own_metrics(site):
            compiled.metrics = None  # the model's `metrics` property / train_step / test_step name the logs
        if model is not None:
            model.compiles.append(compiled)
            self.compile_scopes.append((site.scope, compiled))

    def _reports_own_metrics(self, site: CallSite) -> bool:
        """A subclassed model that defines `metrics`, `train_step`, `test_step` or `compute_metrics` logs
        keys compile() doesn't name."""
        receiver = site.call.func.value  # type: ignore[attr-defined]
        value = self.ev.unwrap(self.ev.eval(receiver, self.ev.env_at(site.call, site.scope)))
        owner = site.scope if isinstance(receiver, cst.Call) else None  # super().compile(...) inside the class
        cls = value.function if isinstance(value, Call) and isinstance(value.function, cst.ClassDef) else None
        if cls is None and isinstance(owner, cst.FunctionDef):
            cls = self.ctx.tables.function_class.get(owner)
        return cls is not None and self.ctx.inherited_method(cls, LOGGING_METHODS) is not None

    def _losses(self, value: Value, where: cst.Arg) -> list[Loss]:
        resolved = self.ev.unwrap(value)
        if isinstance(resolved, Seq):
            return [self._loss(item, item.node or where) for item in resolved.items]
        if isinstance(resolved, Mapping):  # keyed by output name
            losses = []
            for name, item in resolved.items.items():
                loss = self._loss(item, item.node or where)
                loss.output = name
                losses.append(loss)
            return losses
        return [self._loss(resolved, where.value)]

    def _loss(self, value: Value, node: cst.CSTNode) -> Loss:
        resolved = self.ev.unwrap(value)
        span = self.ctx.span(node)
        text = self.ctx.text(node, 80)
        if isinstance(resolved, Const) and isinstance(resolved.value, str):
            return Loss(api.LOSS_ALIASES.get(resolved.value.lower()), text, span)
        if isinstance(resolved, ApiRef):
            return Loss(self._loss_name(resolved.name), text, span)
        if isinstance(resolved, FunctionRef) and isinstance(resolved.definition, cst.FunctionDef):
            self.roles[resolved.definition] = "loss"
            return Loss("custom", text, span, function=resolved.definition.name.value)
        if isinstance(resolved, Call) and isinstance(resolved.function, cst.ClassDef):
            call = self.ctx.inherited_method(resolved.function, ("call",))
            if call is not None:  # loss=DiceLoss(): a keras.losses.Loss subclass computes the loss in call()
                self.roles.setdefault(call, "loss")
                return Loss("custom", text, span, function=f"{resolved.function.name.value}.call")
        if isinstance(resolved, Call) and resolved.callee:
            name = self._loss_name(resolved.callee)
            logits = self.ev.unwrap(resolved.arg("from_logits", None, self.ev))
            from_logits = logits.value if isinstance(logits, Const) and isinstance(logits.value, bool) else None
            return Loss(name, text, span, from_logits=from_logits)
        if isinstance(resolved, Call) and isinstance(resolved.function, cst.FunctionDef):
            self.roles.setdefault(resolved.function, "loss")  # a loss factory: dice_loss(smooth=1)
            return Loss("custom", text, span, function=resolved.function.name.value)
        return Loss(None, text, span)

    @staticmethod
    def _loss_name(qualified: str) -> str | None:
        module, _, last = qualified.rpartition(".")
        if module in ("keras.losses", "keras.backend", "keras.metrics"):
            return api.LOSS_ALIASES.get(last.lower())
        return None

    def _metrics(self, value: Value) -> list[Metric] | None:
        resolved = self.ev.unwrap(value)
        if not isinstance(resolved, Seq):
            return None
        return [self._metric(item) for item in resolved.items]

    def _metric(self, value: Value) -> Metric:
        resolved = self.ev.unwrap(value)
        text = self.ctx.text(value.node, 60) if value.node is not None else "?"
        if isinstance(resolved, Const) and isinstance(resolved.value, str):
            return Metric(resolved.value, text)
        if isinstance(resolved, ApiRef):
            return Metric(resolved.name.rpartition(".")[2], text)
        if isinstance(resolved, FunctionRef) and isinstance(resolved.definition, cst.FunctionDef):
            self.roles.setdefault(resolved.definition, "metric")
            return Metric(resolved.definition.name.value, text)
        if isinstance(resolved, Call) and keras_member(resolved.callee, "metrics"):
            explicit = string(self.ev.unwrap(resolved.arg("name", None, self.ev)))
            return Metric(explicit or api.METRIC_CLASS_NAMES.get(keras_member(resolved.callee, "metrics")), text)
        return Metric(None, text)

    # --- fit -------------------------------------------------------------------------------------
    def _fit(self, site: CallSite) -> None:
        method = _method_name(site.call)
        env = self.ev.env_at(site.call, site.scope)
        call = Call(site.call, env, self.ctx, method=method)
        run = TrainingRun(method=method, span=self.ctx.span(site.call))
        generator_style = method == "fit_generator"
        order = api.FIT_GENERATOR_POSITIONAL if generator_style else api.FIT_POSITIONAL

        def argument(name: str, legacy: str | None = None) -> Value | None:
            index = order.index(name) if name in order else None
            value = call.arg(name, index, self.ev)
            return value if value is not None or legacy is None else call.arg(legacy, None, self.ev)

        run.epochs = _int(self.ev.unwrap(argument("epochs", "nb_epoch")))
        run.steps_per_epoch = _int(self.ev.unwrap(argument("steps_per_epoch")))
        if method != "train_on_batch":
            validation = [call.arg(n, None, self.ev) for n in ("validation_data", "validation_split")]
            run.has_validation = any(v is not None and not _is_empty(self.ev.unwrap(v)) for v in validation)
        run.batch_size = _int(self.ev.unwrap(argument("batch_size"))) if not generator_style else None
        run.callbacks = self._run_callbacks(call.arg("callbacks", 5 if not generator_style else 4, self.ev))
        run.stops_early = any(c.name == "EarlyStopping" for c in run.callbacks or [])
        run.decays_learning_rate = self._decays(call.arg("callbacks", 5 if not generator_style else 4, self.ev))
        x_name = "generator" if generator_style else "x"
        x_node = call.arg_node(x_name, 0)
        if x_node is not None:
            x_value = self.ev.eval(x_node.value, env)
            run.inputs = self.data_range(x_value, x_node.value)
            self._generator_targets(run, x_value)
        y_node = call.arg_node("y", 1) if not generator_style else None
        if y_node is not None:
            run.targets = self.data_range(self.ev.eval(y_node.value, env), y_node.value)
        elif x_node is not None and run.targets is None:
            run.targets = self._flow_targets(self.ev.eval(x_node.value, env), x_node.value)
        model = self._model_for(site)
        if model is not None:
            model.runs.append(run)

    def _decays(self, value: Value | None) -> bool:
        resolved = self.ev.unwrap(value)
        if not isinstance(resolved, Seq):
            return False
        for item in resolved.items:
            item = self.ev.unwrap(item)
            if isinstance(item, Call) and keras_member(item.callee, "callbacks") in ("ReduceLROnPlateau", "LearningRateScheduler"):
                return True
        return False

    def _flow_targets(self, value: Value, fed: cst.CSTNode) -> DataRange | None:
        """fit(flow_from_directory(...)) / fit(image_dataset_from_directory(...)): the class mode (label
        mode) says what the targets are."""
        flow = self.ev.unwrap(value)
        for _ in range(MAX_STEPS):  # train_ds.cache().prefetch(...)
            if isinstance(flow, Call) and flow.method in PASSTHROUGH_METHODS and flow.receiver is not None:
                flow = self.ev.unwrap(flow.receiver)
        if isinstance(flow, Call) and flow.callee in RAW_IMAGE_LOADERS:
            given = flow.arg("label_mode", None, self.ev)
            mode = {"int": "sparse"}.get(string(self.ev.unwrap(given)) or "", string(self.ev.unwrap(given)))
            mode = "sparse" if given is None else mode
        elif isinstance(flow, Call) and flow.method in ("flow_from_directory", "flow_from_dataframe"):
            mode = string(self.ev.unwrap(flow.arg("class_mode", None, self.ev)))
            mode = "categorical" if flow.arg("class_mode", None, self.ev) is None else mode
        else:
            return None
        found = DataRange(text=self.ctx.text(fed, 60), span=self.ctx.span(fed))
        if mode == "categorical":
            found.low, found.high, found.integer, found.one_hot = 0.0, 1.0, True, True
        elif mode == "binary":
            found.low, found.high, found.integer, found.classes = 0.0, 1.0, True, 2
        elif mode == "sparse":
            found.low, found.integer = 0.0, True
        else:
            return None
        return found

    def _run_callbacks(self, value: Value | None) -> list[Callback] | None:
        if value is None:
            return []
        resolved = self.ev.unwrap(value)
        if not isinstance(resolved, Seq):
            return None
        found = []
        for item in resolved.items:
            item = self.ev.unwrap(item)
            if isinstance(item, Call) and item.node in self.callbacks:
                found.append(self.callbacks[item.node])
        return found

    def _generator_targets(self, run: TrainingRun, value: Value) -> None:
        """zip(image_flow, mask_flow): the second generator's flow feeds the targets."""
        resolved = self.ev.unwrap(value)
        if not (isinstance(resolved, Call) and resolved.callee == "zip" and len(resolved.positional()) == 2):
            return
        flow = self.ev.unwrap(resolved.arg(None, 1, self.ev))
        generator = self._flow_generator(flow)
        if generator is not None:
            run.target_generator = generator
            run.target_generator_text = self.ctx.text(resolved.node, 80)
            run.inputs = self.data_range(resolved.arg(None, 0, self.ev), resolved.node)

    def _flow_generator(self, flow: Value | None) -> Generator | None:
        if isinstance(flow, Call) and flow.method in FLOW_METHODS:
            owner = self.ev.unwrap(flow.receiver)
            if isinstance(owner, Call) and owner.node in self.generators:
                return self.generators[owner.node]
        return None

    # --- what is known about an array ------------------------------------------------------------
    def data_range(self, value: Value | None, fed: cst.CSTNode) -> DataRange:
        found = self._provenance(value, fed)
        interval = self.ranges.of(value)
        if interval is not None:
            if found.low is None and found.standardized is None:
                found.low, found.high = interval.low, interval.high
            found.integer = interval.integer
            found.one_hot = interval.one_hot
            found.classes = interval.classes
            found.rows = interval.rows
            if interval.relabelled is not None:
                found.relabelled = self.ctx.span(interval.relabelled)
                found.relabelled_text = self.ctx.text(interval.relabelled, 60)
        return found

    def _provenance(self, value: Value | None, fed: cst.CSTNode) -> DataRange:
        """Raw pixels, standardisation, known dataset bounds: how the values were produced."""
        found = DataRange(text=self.ctx.text(fed, 60), span=self.ctx.span(fed))
        for _ in range(MAX_STEPS):
            value = self.ev.unwrap(value)
            if isinstance(value, Item):
                split = split_source(value, self.ev)
                if split is not None:
                    value = split
                    continue
                if self._generated_targets(value, found):
                    return found
                dataset = self._dataset(value)
                if dataset is None:
                    value = value.base
                    continue
                is_input, raw, bounds = dataset
                if is_input and raw:
                    found.raw_pixels = self.ctx.span(self.ev.unwrap(value.base).node)
                elif not is_input:
                    found.low, found.high = bounds
                return found
            if isinstance(value, BinOp):
                if self._is_standardization(value):
                    found.standardized = self.ctx.span(value.node)
                    found.standardized_text = self.ctx.text(value.node, 80)
                return found  # any other arithmetic (x / 255.0 included) leaves the range unknown
            if isinstance(value, Call):
                if value.callee == "keras.utils.to_categorical":
                    found.low, found.high = 0.0, 1.0
                    return found
                if value.callee in STANDARDIZING_CALLS or self._is_scaler(value):
                    found.standardized = self.ctx.span(value.node)
                    found.standardized_text = self.ctx.text(value.node, 80)
                    return found
                if value.callee in RAW_IMAGE_LOADERS:
                    found.raw_pixels = self.ctx.span(value.node)
                    return found
                if value.callee in IMAGE_DECODERS or value.callee in IMAGE_PASSTHROUGH_FUNCTIONS \
                        or value.method in IMAGE_PASSTHROUGH_METHODS:
                    if self._changed_in_place(value):
                        return found  # `mask[mask > 0] = 1` after decoding: the values are no longer known
                if value.callee in IMAGE_DECODERS:
                    found.raw_pixels = self.ctx.span(value.node)
                    found.low, found.high = 0.0, 255.0
                    return found
                if value.callee in IMAGE_PASSTHROUGH_FUNCTIONS:
                    value = value.arg(None, 0, self.ev)
                    continue
                if value.method in IMAGE_PASSTHROUGH_METHODS and value.receiver is not None:
                    value = value.receiver
                    continue
                if value.method in FLOW_METHODS:
                    generator = self._flow_generator(value)
                    if generator is None or _generator_scales(generator):
                        return found
                    if value.method != "flow":
                        found.raw_pixels = self.ctx.span(value.node)
                        return found
                    value = value.arg("x", 0, self.ev)
                    continue
                if value.method in PASSTHROUGH_METHODS:
                    value = value.receiver
                    continue
                if value.callee in PASSTHROUGH_FUNCTIONS:
                    value = self._element(value) or value.arg(None, 0, self.ev)
                    continue
            if isinstance(value, Seq):
                element = self._appended(value)
                if element is not None:
                    value = element
                    continue
            return found
        return found

    def _changed_in_place(self, value: Call) -> bool:
        if self._writes is None:
            self._writes = InPlaceWrites(self.ctx.module)
        return self._writes.changed_after_binding(value.node)

    def _element(self, call: Call) -> Value | None:
        """`np.array([decode(p) for p in paths])`: what each element of the comprehension is."""
        arg = call.arg_node(None, 0)
        if arg is None or not isinstance(arg.value, (cst.ListComp, cst.GeneratorExp)):
            return None
        return self.ev.eval(arg.value.elt, call.env)

    def _appended(self, empty: Seq) -> Value | None:
        """`X = []` filled by `X.append(item)` in a loop: the (first) item appended."""
        if empty.items or empty.node is None:
            return None
        for site in self.ctx.tables.calls:
            func = site.call.func
            if not (isinstance(func, cst.Attribute) and func.attr.value == "append" and isinstance(func.value, cst.Name)
                    and len(site.call.args) == 1):
                continue
            env = self.ev.env_at(site.call, site.scope)
            receiver = self.ev.eval(func.value, env)
            if not (isinstance(receiver, Seq) and receiver.node is empty.node):
                continue
            return self.ev.eval(site.call.args[0].value, env)
        return None

    def _generated_targets(self, item: Item, found: DataRange) -> bool:
        """`X, y = make_regression(...)`: targets of both signs, far beyond +-1."""
        base = self.ev.unwrap(item.base)
        if item.path == (1,) and isinstance(base, Call) and base.callee == "sklearn.datasets.make_regression":
            found.standardized = self.ctx.span(base.node)
            found.standardized_text = self.ctx.text(base.node, 60)
            return True
        return False

    def _dataset(self, item: Value) -> tuple[bool, bool, tuple[float, float]] | None:
        found = keras_dataset(item, self.ev)
        if found is None:
            return None
        base, name = found
        raw = api.DATASETS[name][0]
        is_input = item.path[1] == 0
        bounds = dataset_label_bounds(base, name, self.ev)
        if bounds is None and not is_input:
            return None
        return is_input, raw, bounds

    def _is_standardization(self, value: BinOp) -> bool:
        if value.operator == "/" and self._mentions(value.right, STD_FUNCTIONS, "std"):
            return True
        if value.operator in ("/", "-"):
            left = self.ev.unwrap(value.left) if value.operator == "/" else value
            if isinstance(left, BinOp) and left.operator == "-" and self._mentions(left.right, MEAN_FUNCTIONS, "mean"):
                return True
        return False

    def _mentions(self, value: Value, functions: tuple[str, ...], method: str) -> bool:
        resolved = self.ev.unwrap(value)
        if isinstance(resolved, Call):
            return resolved.callee in functions or resolved.method == method
        if isinstance(resolved, BinOp):  # std + 1e-8
            return self._mentions(resolved.left, functions, method) or self._mentions(resolved.right, functions, method)
        return False

    def _is_scaler(self, value: Call) -> bool:
        if value.method not in ("fit_transform", "transform"):
            return False
        owner = self.ev.unwrap(value.receiver)
        return isinstance(owner, Call) and owner.callee == "sklearn.preprocessing.StandardScaler"

    # --- callbacks belong to a compile -----------------------------------------------------------
    def _attach_callbacks(self) -> None:
        for model in self.model_facts.values():
            for compiled in model.compiles:  # a run's callbacks belong to the compile() before it
                for run in model.runs_of(compiled):
                    for callback in run.callbacks or []:
                        callback.compile = callback.compile or compiled
            for run in model.runs:
                for callback in run.callbacks or []:
                    callback.compile = callback.compile or model.compile
        scopes = getattr(self, "_callback_scopes", {})
        for node, callback in self.callbacks.items():
            if callback.compile is not None:
                continue
            same_scope = [c for scope, c in self.compile_scopes if scope is scopes.get(node)]
            if len(same_scope) == 1:
                callback.compile = same_scope[0]
            elif len(self.compile_scopes) == 1:
                callback.compile = self.compile_scopes[0][1]


LOGGING_METHODS = ("metrics", "train_step", "test_step", "compute_metrics")


def _tf1_optimizer(callee: str | None) -> tuple | None:
    for module in api.TF1_OPTIMIZER_MODULES:
        if callee and callee.startswith(module):
            return api.TF1_OPTIMIZERS.get(callee.removeprefix(module))
    return None


def _is_schedule(value: Value | None) -> bool:
    return isinstance(value, Call) and bool(value.callee) and ".schedules." in value.callee


def _returns_model(value: Call) -> bool:
    callee = value.callee or ""
    return callee.startswith(("keras.applications.", "keras.models.", "keras.saving.")) or callee == "keras.Model"


def _method_name(call: cst.Call) -> str | None:
    return call.func.attr.value if isinstance(call.func, cst.Attribute) else None


def _int(value: Value | None) -> int | None:
    n = number(value)
    return int(n) if n is not None and float(n).is_integer() else None


def _is_empty(value: Value | None) -> bool:
    return isinstance(value, Const) and value.value in (None, 0, 0.0)


def _generator_scales(generator: Generator) -> bool:
    options = generator.options
    rescale = options.get("rescale")
    if isinstance(rescale, (int, float)) and rescale not in (0, 1):
        return True
    if not isinstance(rescale, (int, float, type(None))):
        return True  # a rescale we cannot resolve: assume it scales
    return any(options.get(key) not in (None, False) for key in (
        "preprocessing_function", "featurewise_std_normalization", "samplewise_std_normalization",
        "featurewise_center", "samplewise_center", "zca_whitening"))
