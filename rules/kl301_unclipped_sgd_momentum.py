from kerlint.diagnostic import Severity
from kerlint.extract.keras_api import CLIPPING_PARAMETERS
from kerlint.rule import Finding, Option, Rule


class UnclippedSgdMomentum(Rule):
    code = "KL301"
    name = "unclipped-sgd-momentum"
    tag = "optimizer"
    severity = Severity.WARNING
    summary = "SGD with momentum and a high learning rate has no gradient clipping."
    what_it_does = (
        "Finds `SGD` optimizers with momentum whose effective step, learning_rate / (1 - momentum), reaches "
        "`max-effective-lr`, and that set none of clipnorm, clipvalue or global_clipnorm."
    )
    why_bad = (
        "Heavy-ball momentum accumulates gradients: with momentum 0.9 a steady gradient moves the weights about "
        "10x the learning rate per step. One large gradient (a hard batch, an empty mask in a Dice/Jaccard "
        "loss) then throws the weights far away; the loss jumps and sits on a plateau (1.0 for a Jaccard loss) "
        "or turns NaN — seed 000's U-Net, fixed by `clipnorm=1.`."
    )
    fix = "Add clipnorm=1.0 (or clipvalue=1.0) to the optimizer, or lower the learning rate."
    references = (
        "https://keras.io/api/optimizers/#core-optimizer-api",
        "Stack Overflow seed 000/001: how can my loss suddenly increase while training a CNN for image segmentation",
    )
    options = {"max-effective-lr": Option(0.1, "learning_rate / (1 - momentum) at or above which clipping is required")}
    invalid = (
        """\
from keras.optimizers import SGD

optimizer = SGD(lr=0.01, momentum=0.9, nesterov=True)  # expect: KL301
""",
        """\
import keras

opt = keras.optimizers.SGD(learning_rate=0.05, momentum=0.9)  # expect: KL301
""",
    )
    valid = (
        """\
from keras.optimizers import SGD

optimizer = SGD(lr=0.01, momentum=0.9, nesterov=True, clipnorm=1.)
""",
        """\
import keras

opt = keras.optimizers.SGD(learning_rate=0.001, momentum=0.9)
""",
        """\
import keras

opt = keras.optimizers.SGD(learning_rate=0.1, momentum=0.9, global_clipnorm=5.0)
""",
        """\
from keras.optimizers import SGD

sgd = SGD(learning_rate=0.01, momentum=0.9, nesterov=True)  # built, but compile() uses 'adam'
model.compile(loss="categorical_crossentropy", optimizer="adam")
""",
    )

    def check(self, facts, options):
        limit = options["max-effective-lr"]
        for optimizer in facts.optimizers:
            clipped = any(p in optimizer.given for p in CLIPPING_PARAMETERS)
            if optimizer.name != "SGD" or clipped or not facts.optimizer_in_use(optimizer):
                continue
            rate, momentum = optimizer.params.get("learning_rate"), optimizer.params.get("momentum")
            if not isinstance(rate, (int, float)) or not isinstance(momentum, (int, float)) or not 0 < momentum < 1:
                continue
            effective = rate / (1 - momentum)
            if effective >= limit:
                yield Finding(
                    optimizer.span,
                    f"{optimizer.text} has no clipnorm/clipvalue: momentum {momentum:g} makes each step up to "
                    f"~{1 / (1 - momentum):.0f}x the learning rate (effective {effective:.3g}), so one large gradient "
                    "can throw the weights off — the loss jumps to a plateau or NaN",
                )
