"""Facts: what kerlint knows about a program, independent of how it learned it.

The static analyzer fills these from source; the built-model inspector fills the same classes from a
live keras.Model and its captured data. Rules read only these. Every value a rule may print is kept
here as text (`text` fields), so messages name the offending values whichever way they were found.

Unknown is always `None`: a rule that needs a value it doesn't have stays silent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from kerlint.diagnostic import Span
if TYPE_CHECKING:  # the source is attached only when fixes are wanted
    from kerlint.source import SourceText

# The closed vocabularies of fact fields (typing.get_args(...) lists the values).
NumericOpKind = Literal["log", "divide", "sqrt", "power", "exp"]
# How a small constant guards: "added" (x + smooth), "clip" (the lower bound of K.clip(x, 1e-15, 1 - 1e-15)),
# "clip-ceiling" (the eps of its upper bound 1 - eps), "maximum" (K.maximum(x, 1e-12)).
GuardHow = Literal["added", "clip", "clip-ceiling", "maximum"]
# "loss", "metric" (as compile() uses it), or "loss-like" (signature (y_true, y_pred) but not seen in compile).
FunctionRole = Literal["loss", "metric", "loss-like"]
LegacyKind = Literal["optimizer-argument", "fit-argument", "training-method", "backend-function", "module"]


@dataclass
class Activation:
    """The effective activation of a model output: what the last range-changing layer applies."""

    name: str | None  # canonical: "softmax", "sigmoid", "relu", "linear", "tanh", ...; None = unknown
    span: Span  # where the activation is chosen (the activation= argument, the Activation layer)
    layer: str  # the layer as written, e.g. "Dense(2, activation='relu')"
    units: int | None = None  # size of the output's last axis when known


@dataclass
class Output:
    activation: Activation
    layer_span: Span
    name: str | None = None  # the output's name (its layer's name=, or its key in a dict of outputs)


@dataclass
class Loss:
    name: str | None  # canonical: "categorical_crossentropy", "binary_crossentropy", "mse", ..., "custom"
    text: str  # as written: "'categorical_crossentropy'", "BinaryCrossentropy(from_logits=True)"
    span: Span
    from_logits: bool | None = None  # None: not given (Keras' default is False)
    function: str | None = None  # the custom function's name when name == "custom"
    output: str | None = None  # the output it applies to, when compile() keys its losses by output name


@dataclass
class Optimizer:
    name: str  # canonical class name: "SGD", "Adam", ...
    text: str  # as written
    span: Span
    # Effective hyper-parameters: given values merged over the class defaults. A parameter given
    # with a value static analysis cannot resolve is absent.
    params: dict[str, float | bool | None] = field(default_factory=dict)
    given: frozenset[str] = frozenset()  # parameters the user passed (canonical names)
    param_spans: dict[str, Span] = field(default_factory=dict)
    schedule: bool = False  # the learning rate is a schedule (decays over the run)
    keywords: frozenset[str] = frozenset()  # keyword arguments as written (`lr`, `learning_rate`, ...)


@dataclass
class Metric:
    name: str | None  # the key Keras logs it under ("accuracy", "auc", "dice"); None = can't tell
    text: str


@dataclass
class Callback:
    name: str  # "EarlyStopping", "ModelCheckpoint", "ReduceLROnPlateau", ...
    text: str
    span: Span
    monitor: str | None  # the monitored key, default applied; None = unresolved
    monitor_span: Span
    compile: Compile | None = None  # the compile() this callback's training belongs to, when evident
    acts_on_monitor: bool = True  # False for a ModelCheckpoint that saves every time (no save_best_only)


@dataclass
class Compile:
    span: Span
    losses: list[Loss] = field(default_factory=list)
    optimizer: Optimizer | None = None
    metrics: list[Metric] | None = None  # None: the list itself is unknown


@dataclass
class DataRange:
    """What is known about the values of an array fed to training."""

    text: str  # the expression as fed, e.g. "x_train"
    span: Span  # where it is fed
    # How the values were produced, where evident.
    raw_pixels: Span | None = None  # loaded as 0..255 images and never rescaled
    standardized: Span | None = None  # centred and/or divided by a std (spans both signs)
    standardized_text: str | None = None
    low: float | None = None  # known bounds (from a dataset, NumPy constructors and arithmetic, or measured)
    high: float | None = None
    integer: bool = False  # whole numbers (class indices, counts, raw pixels)
    one_hot: bool = False  # one-hot rows (to_categorical, np.eye(n)[y], class_mode="categorical")
    classes: int | None = None  # how many classes the labels encode, when evident
    # Integer class labels made non-integer or negative on the way (y / 255, y - 1): where, and how.
    relabelled: Span | None = None
    relabelled_text: str | None = None
    rows: int | None = None  # samples, when the array's first dimension is known


@dataclass
class Generator:
    """An ImageDataGenerator (or similar) configuration."""

    text: str  # as written, e.g. "ImageDataGenerator(**data_gen_args)"
    span: Span
    options: dict[str, object] = field(default_factory=dict)  # resolved keyword options
    option_spans: dict[str, Span] = field(default_factory=dict)  # where each option was written


@dataclass
class TrainingRun:
    """One fit()/fit_generator()/train_on_batch() call."""

    method: str
    span: Span
    epochs: int | None = None
    steps_per_epoch: int | None = None
    batch_size: int | None = None  # as given; Keras' default is 32
    stops_early: bool = False  # an EarlyStopping callback can end the run
    decays_learning_rate: bool = False  # ReduceLROnPlateau / LearningRateScheduler, or a schedule in the optimizer
    has_validation: bool | None = None
    callbacks: list[Callback] | None = None
    inputs: DataRange | None = None
    targets: DataRange | None = None
    # When targets come from a generator's flow (e.g. zip(image_flow, mask_flow)), that generator.
    target_generator: Generator | None = None
    target_generator_text: str | None = None  # how it feeds the targets, e.g. "zip(image_generator, mask_generator)"


@dataclass
class Model:
    text: str  # how it was built, e.g. "Model(inputs=input_layer, outputs=output_layer)"
    span: Span
    outputs: list[Output] | None = None  # None: the outputs could not be resolved
    scales_inputs: bool | None = None  # the first layers rescale or normalize the input
    compiles: list[Compile] = field(default_factory=list)  # every compile() of the model, in source order
    # The layer path from the input to the (first) output, where static analysis could follow it.
    layer_kinds: frozenset[str] | None = None  # Keras layer classes on that path ("Dense", "SimpleRNN", ...)
    fan_in: int | None = None  # inputs to the first weight layer: features, or kernel area x channels
    depth: int | None = None  # weight layers (Dense, Conv, recurrent) on that path
    normalizes_first_layer: bool = False  # a BatchNormalization/LayerNormalization right after the first weight layer
    runs: list[TrainingRun] = field(default_factory=list)

    @property
    def compile(self) -> Compile | None:
        """The last compile(): the one the model is trained with once the script has run."""
        return self.compiles[-1] if self.compiles else None

    def runs_of(self, compiled: Compile) -> list[TrainingRun]:
        """The training runs a compile() applies to: those after it and before the next compile() of the
        model, in source order (every run when the model is compiled once)."""
        if len(self.compiles) < 2:
            return self.runs
        start = (compiled.span.line, compiled.span.col)
        later = [(c.span.line, c.span.col) for c in self.compiles if (c.span.line, c.span.col) > start]
        end = min(later, default=None)
        return [run for run in self.runs
                if start < (run.span.line, run.span.col) and (end is None or (run.span.line, run.span.col) < end)]

    def training_compiles(self) -> list[Compile]:
        """The compile()s that train the model. Every one, unless its training runs are visible: then those
        followed by a run before the next compile() (one replaced before any fit trains nothing)."""
        if len(self.compiles) < 2 or not self.runs:
            return self.compiles
        return [c for c in self.compiles if self.runs_of(c)] or self.compiles[-1:]

    def optimizer_steps(self, run: "TrainingRun") -> int | None:
        """Optimizer steps the run takes at most: epochs x steps per epoch (given, or samples / batch size)."""
        if run.epochs is None:
            return None
        steps = run.steps_per_epoch
        if steps is None and run.inputs is not None and run.inputs.rows is not None:
            steps = -(-run.inputs.rows // (run.batch_size or 32))
        return run.epochs * steps if steps is not None else None


@dataclass
class NumericOp:
    """log / division / sqrt / power / exp inside a custom loss or metric."""

    kind: NumericOpKind
    text: str  # as written, e.g. "K.log(1-y_pred)"
    span: Span
    function: str  # the enclosing loss/metric
    depends_on_prediction: bool  # the operand is computed from y_true/y_pred
    guard: str | None  # what keeps the operand in the safe domain (e.g. "K.clip"), None if nothing
    operand_text: str  # the argument or denominator
    # A known unstable idiom the op is part of, which has a stable replacement: "softplus" for an exp
    # inside log(1 + exp(x)), "logsumexp" for an exp inside log(sum(exp(x))).
    idiom: str | None = None
    # For a log: the softmax / sigmoid the operand comes out of ("softmax", "sigmoid"), which underflows to
    # exactly 0 in float32, and that op as written.
    squashed: str | None = None
    squashed_text: str | None = None


@dataclass
class SmallConstant:
    """A constant added to keep a ratio, log or sqrt finite inside a custom loss or metric."""

    value: float
    text: str  # e.g. "smooth = 1e-12"
    span: Span  # where the constant is defined (the line a user would change)
    function: str
    use: str  # what it guards, e.g. "(intersection + smooth) / (sum_ - intersection + smooth)"
    how: GuardHow = "added"


@dataclass
class LogLikelihoodReturn:
    """A custom loss returning a positive combination of log-probabilities, never negated."""

    function: str
    text: str
    span: Span
    verb: str = "returns"  # "is" for a differentiated objective outside a loss function


@dataclass
class CustomFunction:
    name: str
    span: Span
    role: FunctionRole
    numeric_ops: list[NumericOp] = field(default_factory=list)
    small_constants: list[SmallConstant] = field(default_factory=list)
    unnegated_log_likelihood: LogLikelihoodReturn | None = None
    # How the function reads the prediction as a probability in [0, 1], as written: a Dice/IoU overlap
    # ratio ("2 * K.sum(y_true * y_pred) / (...)") or the complement log(1 - y_pred); None if it does not.
    probability_reading: str | None = None
    helpers: list[str] = field(default_factory=list)  # the module's functions it calls, by name

    def unguarded(self, kind: NumericOpKind) -> list[NumericOp]:
        """The ops of one kind whose operand comes from the inputs and that nothing guards."""
        return [op for op in self.numeric_ops if op.kind == kind and op.depends_on_prediction and op.guard is None]


@dataclass
class LossCall:
    """A crossentropy computed in code on a tensor whose activation is known: a TensorFlow op
    (`tf.nn.softmax_cross_entropy_with_logits`, `tf.losses.log_loss`), a Keras loss function or object
    applied to tensors, or a hand-written `y * log(p)` in a differentiated loss."""

    text: str  # the loss as written, e.g. "tf.losses.log_loss(y, y_pred)"
    span: Span
    op: str  # e.g. "softmax_cross_entropy_with_logits", "log_loss", "log" for a hand-written one
    expects: str  # "logits", "probabilities", "values" (a regression loss: op "mse", "mae", ...) or
    # "fraction" (a Dice/IoU overlap: op "overlap")
    prediction_text: str  # the tensor passed as logits / predictions
    activation: Activation  # what produced that tensor (name "linear" for an affine output)
    hand_written: bool = False


@dataclass
class LegacyUsage:
    """An API current Keras rejects: `lr=`, `decay=`, `nb_epoch=`, `fit_generator`, `keras.engine`..."""

    kind: LegacyKind
    old: str  # what was written, e.g. "lr"
    new: str | None  # the current spelling, if there is one
    context: str  # e.g. "SGD(...)", "model.fit(...)"
    span: Span


@dataclass
class ModuleFacts:
    path: str = "<unknown>"
    models: list[Model] = field(default_factory=list)
    # Every optimizer constructed, compiled or not (a script may build it before compile is visible).
    optimizers: list[Optimizer] = field(default_factory=list)
    callbacks: list[Callback] = field(default_factory=list)
    custom_functions: list[CustomFunction] = field(default_factory=list)
    loss_calls: list[LossCall] = field(default_factory=list)
    generators: list[Generator] = field(default_factory=list)
    legacy: list[LegacyUsage] = field(default_factory=list)
    float16: Span | None = None  # where the module sets a float16 / mixed_float16 policy or floatx
    # Calls of a CTC loss (K.ctc_batch_cost, tf.nn.ctc_loss, keras.ops.ctc_loss): gradients can spike.
    ctc_losses: list[Span] = field(default_factory=list)
    # The Keras major version the project targets ("2" or "3"): from [tool.kerlint] target-keras, the
    # project's declared dependencies, or the file's own imports (tf_keras); None when nothing says.
    target_keras: str | None = None
    keras_imports: list[str] = field(default_factory=list)  # modules the file imports Keras from, as written
    # The file's text, for rules that compute a fix from it; None when no fix is wanted (LintSettings.fixes)
    # and for facts read off a built model.
    source: SourceText | None = None

    def output_losses(self) -> list[tuple[Model, Output, Loss]]:
        """Each model output with the loss applied to it (one loss for all outputs, or one each), for every
        compile() of the model."""
        pairs = []
        for model in self.models:
            if model.outputs is None:
                continue
            for compiled in model.training_compiles():
                losses = compiled.losses
                if any(loss.output is not None for loss in losses):  # {"class_output": ..., ...}
                    named = {output.name: output for output in model.outputs if output.name is not None}
                    pairs += [(model, named[loss.output], loss) for loss in losses if loss.output in named]
                elif len(losses) == 1:
                    pairs += [(model, output, losses[0]) for output in model.outputs]
                elif losses and len(losses) == len(model.outputs):
                    pairs += list(zip([model] * len(losses), model.outputs, losses))
        return pairs

    def compile_of(self, model: Model, loss: Loss) -> Compile | None:
        """The compile() of `model` that sets `loss`."""
        return next((c for c in model.compiles if any(other is loss for other in c.losses)), None)

    def runs(self) -> list[tuple[Model, TrainingRun]]:
        return [(model, run) for model in self.models for run in model.runs]

    def optimizer_in_use(self, optimizer: Optimizer) -> bool:
        """False only when every compile() visible resolves to another optimizer: this one is unused."""
        compiles = [compiled for model in self.models for compiled in model.compiles]
        if not compiles or any(c.optimizer is optimizer or c.optimizer is None for c in compiles):
            return True
        return False

    def run_for_optimizer(self, optimizer: Optimizer) -> list[TrainingRun]:
        """The training runs of the compile()s with this optimizer (all runs if only one model trains)."""
        owned = [(m, c) for m in self.models for c in m.compiles if c.optimizer is optimizer]
        if owned:
            return [run for model, compiled in owned for run in model.runs_of(compiled)]
        trained = [m for m in self.models if m.runs]
        return trained[0].runs if len(trained) == 1 else []
