from kerlint.diagnostic import Severity
from kerlint.gradient_risk import spiking_gradients
from kerlint.keras_api import CLIPPING_PARAMETERS
from kerlint.rule import Finding, Option, Rule


class UnclippedSgdMomentum(Rule):
    code = "KL301"
    name = "unclipped-sgd-momentum"
    tag = "optimizer"
    probe_sharpness = True  # an optimizer finding: the stability margin is estimated without being asked
    severity = Severity.WARNING
    fixable = "unsafe"  # add clipnorm=1.0: it changes the optimisation
    summary = "SGD with momentum and a high learning rate has no gradient clipping."
    what_it_does = (
        "Finds `SGD` optimizers (and TensorFlow 1's `MomentumOptimizer`) with momentum whose effective step, "
        "learning_rate / (1 - momentum), reaches `max-effective-lr`, that set none of clipnorm, clipvalue or "
        "global_clipnorm, and that train something whose gradients can spike: a ratio loss (Dice, Jaccard, any "
        "custom loss dividing by a function of the predictions), a CTC loss, recurrent layers, unscaled inputs "
        "(raw pixels, values in the hundreds), or an extreme effective rate (`extreme-effective-lr`). "
        "SGD(0.01..0.1, momentum=0.9) on a CNN, an MLP or a fine-tuned network with a bounded loss is the "
        "textbook recipe and is not reported."
    )
    why_bad = (
        "Heavy-ball momentum accumulates gradients: with momentum 0.9 a steady gradient moves the weights about "
        "10x the learning rate per step. One large gradient (a hard batch, an empty mask in a Dice/Jaccard "
        "loss, an exploding recurrent gradient, a CTC alignment) then throws the weights far away; the loss "
        "jumps and sits on a plateau (1.0 for a Jaccard loss) or turns NaN — seed 000's U-Net, fixed by "
        "`clipnorm=1.`."
    )
    fix = "Add clipnorm=1.0 (or clipvalue=1.0) to the optimizer, or lower the learning rate."
    references = (
        "https://keras.io/api/optimizers/#core-optimizer-api",
        "Stack Overflow seed 000/001: how can my loss suddenly increase while training a CNN for image segmentation",
    )
    options = {
        "max-effective-lr": Option(0.1, "learning_rate / (1 - momentum) at or above which a risk factor requires clipping"),
        "extreme-effective-lr": Option(5.0, "learning_rate / (1 - momentum) at or above which clipping is required anyway"),
    }
    invalid = (
        """\
from keras import backend as K
from keras.optimizers import SGD

def jaccard_coef_loss(y_true, y_pred):
    intersection = K.sum(y_true * y_pred)
    return 1 - (intersection + 1e-12) / (K.sum(y_true + y_pred) - intersection + 1e-12)

optimizer = SGD(lr=0.01, momentum=0.9, nesterov=True)  # expect: KL301
""",
        """\
import keras

model = keras.Sequential([keras.Input((40, 8)), keras.layers.SimpleRNN(64), keras.layers.SimpleRNN(64), keras.layers.Dense(1)])
model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.05, momentum=0.9), loss="mse")  # expect: KL301
""",
        """\
import keras

(x_train, y_train), _ = keras.datasets.cifar10.load_data()
model = keras.Sequential([keras.layers.Conv2D(32, 3, activation="relu"), keras.layers.Flatten(), keras.layers.Dense(10, activation="softmax")])
model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.01, momentum=0.9), loss="sparse_categorical_crossentropy")  # expect: KL301
model.fit(x_train, y_train, epochs=10)
""",
        """\
import tensorflow as tf

train_op = tf.compat.v1.train.MomentumOptimizer(0.5, 0.95).minimize(loss)  # expect: KL301
""",
    )
    valid = (
        """\
from keras import backend as K
from keras.optimizers import SGD

def jaccard_coef_loss(y_true, y_pred):
    intersection = K.sum(y_true * y_pred)
    return 1 - (intersection + 1.0) / (K.sum(y_true + y_pred) - intersection + 1.0)

optimizer = SGD(lr=0.01, momentum=0.9, nesterov=True, clipnorm=1.)
""",
        """\
import keras

model = keras.Sequential([keras.Input((40, 8)), keras.layers.SimpleRNN(64), keras.layers.SimpleRNN(64), keras.layers.Dense(1)])
model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.05, momentum=0.9, clipnorm=1.0), loss="mse")
""",
        """\
import keras

(x_train, y_train), _ = keras.datasets.cifar10.load_data()
x_train = x_train / 255.0
model = keras.Sequential([keras.layers.Conv2D(32, 3, activation="relu"), keras.layers.Flatten(), keras.layers.Dense(10, activation="softmax")])
model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.01, momentum=0.9), loss="sparse_categorical_crossentropy")
model.fit(x_train, y_train, epochs=10)
""",
        """\
import keras

opt = keras.optimizers.SGD(learning_rate=0.1, momentum=0.9)  # the textbook recipe, nothing that spikes
""",
        """\
from keras.optimizers import SGD

sgd = SGD(learning_rate=0.01, momentum=0.9, nesterov=True)  # built, but compile() uses 'adam'
model.compile(loss="categorical_crossentropy", optimizer="adam")
""",
    )

    def check(self, facts, options):
        limit, extreme = options["max-effective-lr"], options["extreme-effective-lr"]
        for optimizer in facts.optimizers:
            clipped = any(p in optimizer.given for p in CLIPPING_PARAMETERS)
            if optimizer.name != "SGD" or clipped or not facts.optimizer_in_use(optimizer):
                continue
            rate, momentum = optimizer.params.get("learning_rate"), optimizer.params.get("momentum")
            if not isinstance(rate, (int, float)) or not isinstance(momentum, (int, float)) or not 0 < momentum < 1:
                continue
            effective = rate / (1 - momentum)
            if effective < limit * (1 - 1e-9):
                continue
            risk = spiking_gradients(facts, optimizer)
            if risk is None and effective >= extreme * (1 - 1e-9):
                risk = f"an effective rate of {effective:.3g} is extreme on its own"
            if risk is None:
                continue
            yield Finding(
                optimizer.span,
                f"{optimizer.text} has no clipnorm/clipvalue: momentum {momentum:g} makes each step up to "
                f"~{1 / (1 - momentum):.0f}x the learning rate (effective {effective:.3g}), and {risk}, so one "
                "large gradient can throw the weights off — the loss jumps to a plateau or NaN",
                autofix=self._clip(facts, optimizer),
            )

    @staticmethod
    def _clip(facts, optimizer):
        """Unsafe: clipping changes every step that would have been larger than the clip."""
        if facts.source is None:  # no fix wanted (LintSettings.fixes)
            return None
        from kerlint.call_edits import set_keyword  # loaded only where fixes are wanted

        return set_keyword(facts.source, optimizer.span, "clipnorm", "1.0", "Clip the gradient norm at 1.0", "unsafe")

    def probe(self, evidence):
        # The harm is an unclipped step: a gradient that grows under clipping moves the weights no further
        # than the clip, so there only a NaN, a collapse or a plateau shows it.
        return evidence.instability(growth=not evidence.clips())
