from kerlint.diagnostic import Severity
from kerlint.rule import Finding, Option, Rule

ADAPTIVE = ("Adam", "AdamW", "Adamax", "Nadam", "RMSprop", "Lamb", "Lion")


class LearningRateOutOfRange(Rule):
    code = "KL303"
    name = "learning-rate-out-of-range"
    tag = "optimizer"
    severity = Severity.WARNING
    summary = "The learning rate is outside the range that optimizer trains stably in."
    what_it_does = (
        "Finds learning rates that are zero or negative, above `max-adaptive-lr` for adaptive optimizers "
        "(Adam, AdamW, Adamax, Nadam, RMSprop, Lamb, Lion), or above `max-sgd-lr` for SGD, Adagrad and Adadelta."
    )
    why_bad = (
        "Adaptive optimizers normalise each step to about the learning rate in every weight at once, so rates "
        "above ~1e-2 move all weights by that much every step: the loss oscillates, spikes or turns NaN. A rate "
        "<= 0 never descends at all."
    )
    fix = "Use a learning rate in the optimizer's usual range (Adam: 1e-4..1e-3; SGD: 1e-3..1e-1)."
    references = ("https://keras.io/api/optimizers/",)
    options = {
        "max-adaptive-lr": Option(0.01, "largest learning rate accepted for Adam-like and RMSprop optimizers"),
        "max-sgd-lr": Option(1.0, "largest learning rate accepted for SGD, Adagrad and Adadelta"),
    }
    invalid = (
        """\
import keras

model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.1), loss="mse")  # expect: KL303
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
            limit = options["max-adaptive-lr"] if optimizer.name in ADAPTIVE else options["max-sgd-lr"]
            if rate > limit:
                yield Finding(
                    where,
                    f"{optimizer.text} uses learning rate {rate:g}, above {limit:g} for {optimizer.name}: steps that "
                    "large make the loss oscillate, spike or turn NaN",
                )
