import math

from kerlint.diagnostic import Severity
from kerlint.gradient_risk import models_for
from kerlint.rule import Finding, Option, Rule

ADAPTIVE = ("Adam", "AdamW", "Adamax", "Nadam", "RMSprop", "Lamb", "Lion")


class LearningRateOutOfRange(Rule):
    code = "KL303"
    name = "learning-rate-out-of-range"
    tag = "optimizer"
    probe_sharpness = True  # an optimizer finding: the stability margin is estimated without being asked
    severity = Severity.WARNING
    summary = "The learning rate is outside the range that optimizer trains stably in."
    what_it_does = (
        "Finds learning rates that are zero or negative, above the limit for adaptive optimizers (Adam, AdamW, "
        "Adamax, Nadam, RMSprop, Lamb, Lion), or above `max-sgd-lr` for SGD, Adagrad and Adadelta. The adaptive "
        "limit scales with the model: where the fan-in n of the first weight layer and the depth d (weight "
        "layers) are known it is 1 / (sqrt(n) * d), never below `max-adaptive-lr` — Adam at 0.1 on a 10-input "
        "linear regression is fine, on a 784-input network it is not; where the model is unknown it is "
        "`max-adaptive-lr`."
    )
    why_bad = (
        "Adaptive optimizers normalise each step to about the learning rate in every weight at once, so a unit "
        "with n inputs moves its pre-activation by up to ~lr * n * |x| per step, compounded through every layer: "
        "past ~1/sqrt(n) the loss oscillates, spikes or turns NaN. A rate <= 0 never descends at all."
    )
    fix = "Use a learning rate in the optimizer's usual range (Adam: 1e-4..1e-3; SGD: 1e-3..1e-1)."
    references = ("https://keras.io/api/optimizers/",)
    options = {
        "max-adaptive-lr": Option(0.01, "largest learning rate accepted for Adam-like and RMSprop optimizers on an unknown model (the floor of the scaled limit)"),
        "max-sgd-lr": Option(1.0, "largest learning rate accepted for SGD, Adagrad and Adadelta"),
    }
    invalid = (
        """\
import keras

model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.1), loss="mse")  # expect: KL303
""",
        """\
import keras

model = keras.Sequential([keras.Input((784,)), keras.layers.Dense(64, activation="relu"), keras.layers.Dense(10)])
model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.05), loss="mse")  # expect: KL303
""",
        """\
from keras.optimizers import RMSprop

opt = RMSprop(lr=0.5)  # expect: KL303
""",
    )
    valid = (
        """\
import keras

model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.001), loss="mse")
""",
        """\
from keras.optimizers import SGD

opt = SGD(lr=0.1)
""",
        """\
import keras

model = keras.Sequential([keras.Input((10,)), keras.layers.Dense(1)])
model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.1), loss="mse")
""",
    )

    def check(self, facts, options):
        for optimizer in facts.optimizers:
            rate = optimizer.params.get("learning_rate")
            if "learning_rate" not in optimizer.given or not isinstance(rate, (int, float)) or isinstance(rate, bool):
                continue
            if not facts.optimizer_in_use(optimizer):
                continue
            where = optimizer.param_spans.get("learning_rate", optimizer.span)
            if rate <= 0:
                yield Finding(where, f"{optimizer.text} has learning rate {rate:g} <= 0: training never descends")
                continue
            limit, scale = options["max-sgd-lr"], ""
            if optimizer.name in ADAPTIVE:
                limit, scale = self._adaptive_limit(facts, optimizer, options["max-adaptive-lr"])
            if rate > limit:
                yield Finding(
                    where,
                    f"{optimizer.text} uses learning rate {rate:g}, above {limit:.2g} for {optimizer.name}{scale}: "
                    "steps that large make the loss oscillate, spike or turn NaN",
                )

    @staticmethod
    def _adaptive_limit(facts, optimizer, floor: float) -> tuple[float, str]:
        """1 / (sqrt(fan-in) * depth) for the model(s) this optimizer trains, never below `floor`."""
        models = models_for(facts, optimizer)
        sized = [m for m in models if m.fan_in and m.depth]
        if not models or len(sized) != len(models):
            return floor, ""
        model = max(sized, key=lambda m: math.sqrt(m.fan_in) * m.depth)
        limit = 1 / (math.sqrt(model.fan_in) * model.depth)
        if limit <= floor:
            return floor, ""
        return limit, f" on a model with {model.fan_in} inputs and {model.depth} weight layer{'s' if model.depth > 1 else ''} (1/(sqrt({model.fan_in})*{model.depth}))"

    def probe(self, evidence):
        return evidence.instability()
