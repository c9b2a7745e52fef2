from kerlint.diagnostic import Severity
from kerlint.keras_api import BINARY_CE, CROSSENTROPY
from kerlint.rule import Finding, Rule, head_or_loss

# Output activations that leave [0, 1], and what binary crossentropy's clip to [1e-7, 1 - 1e-7] does to them.
OUTSIDE_UNIT_INTERVAL = {
    "tanh": "tanh outputs in [-1, 0] are clipped to 1e-7",
    "softsign": "softsign outputs in [-1, 0] are clipped to 1e-7",
    "hard_tanh": "hard_tanh outputs in [-1, 0] are clipped to 1e-7",
    "relu": "relu outputs at 0 or above 1 are clipped",
    "relu6": "relu6 outputs at 0 or above 1 are clipped",
    "elu": "elu outputs below 0 or above 1 are clipped",
    "selu": "selu outputs below 0 or above 1 are clipped",
    "leaky_relu": "leaky_relu outputs below 0 or above 1 are clipped",
    "prelu": "PReLU outputs below 0 or above 1 are clipped",
    "gelu": "gelu outputs below 0 or above 1 are clipped",
    "silu": "silu outputs below 0 or above 1 are clipped",
    "mish": "mish outputs below 0 or above 1 are clipped",
    "hard_silu": "hard_silu outputs below 0 or above 1 are clipped",
    "softplus": "softplus outputs above 1 are clipped",
    "exponential": "exponential outputs above 1 are clipped",
}


class LinearOutputWithProbabilityLoss(Rule):
    code = "KL102"
    name = "linear-output-with-probability-loss"
    tag = "activation-loss"
    severity = Severity.ERROR
    fixable = "unsafe"  # the loss told from_logits=True: it changes what the output means
    summary = ("A linear (logit) output, or a tanh/relu/... output before binary crossentropy, feeds a loss that "
               "expects probabilities (from_logits=False, or KL divergence).")
    what_it_does = (
        "Finds models whose last layer has no activation (a linear output, e.g. `Dense(10)`) while the "
        "crossentropy loss is left at `from_logits=False`, and models whose output activation does not keep "
        "to [0, 1] (tanh, relu, elu, softplus, ...) while the loss is binary crossentropy; and a linear output "
        "fed to KL divergence, which has no from_logits. (The same "
        "activations before a categorical crossentropy are KL101's.)"
    )
    why_bad = (
        "The loss assumes outputs in [0, 1]. Keras clips a linear output into [1e-7, 1 - 1e-7] (binary) or "
        "divides it by its sum (categorical): negative logits are clipped, so their gradient is exactly zero "
        "and those units stop learning, and a sum near zero produces NaN."
    )
    fix = "Pass from_logits=True to the loss (keep the linear output), or add activation='softmax' / 'sigmoid'."
    references = ("https://keras.io/api/losses/probabilistic_losses/",)
    invalid = (
        """\
import keras

model = keras.Sequential([keras.layers.Dense(32, activation="relu"), keras.layers.Dense(10)])  # expect: KL102
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
""",
        """\
from tensorflow import keras

inputs = keras.Input((8,))
score = keras.layers.Dense(1, activation=None)(inputs)  # expect: KL102
model = keras.Model(inputs, score)
model.compile(optimizer="adam", loss=keras.losses.BinaryCrossentropy(from_logits=False))
""",
        """\
from keras.models import Sequential
from keras.layers import Dense

model = Sequential()
model.add(Dense(32, activation='relu', input_dim=16))
model.add(Dense(1, activation='tanh'))  # expect: KL102
model.compile(loss='binary_crossentropy', optimizer='adam', metrics=['accuracy'])
""",
        """\
import tensorflow as tf

inputs = tf.keras.Input((784,))
student = tf.keras.Model(inputs, tf.keras.layers.Dense(10)(inputs))  # expect: KL102
student.compile(optimizer="adam", loss=tf.keras.losses.KLDivergence())
""",
    )
    valid = (
        """\
import keras

model = keras.Sequential([keras.layers.Dense(32, activation="relu"), keras.layers.Dense(10)])
model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
""",
        """\
from tensorflow import keras

inputs = keras.Input((8,))
score = keras.layers.Dense(1, activation="sigmoid")(inputs)
model = keras.Model(inputs, score)
model.compile(optimizer="adam", loss=keras.losses.BinaryCrossentropy())
""",
        """\
import keras

model = keras.Sequential([keras.layers.Dense(32, activation="relu"), keras.layers.Dense(1)])
model.compile(optimizer="adam", loss="mse")
""",
        """\
import tensorflow as tf

inputs = tf.keras.Input((784,))
student = tf.keras.Model(inputs, tf.keras.layers.Dense(10, activation="softmax")(inputs))
student.compile(optimizer="adam", loss=tf.keras.losses.KLDivergence())
""",
    )

    def check(self, facts, options):
        for model, output, loss in facts.output_losses():
            activation = output.activation
            if loss.name == "kl_divergence" and activation.name == "linear":
                span, related = head_or_loss(model, activation.span, loss, "linear output chosen here",
                                             f"loss {loss.text} set here")
                yield Finding(
                    span,
                    f"{activation.layer} has a linear output, but {loss.text} compares probability distributions "
                    "(it has no from_logits): outputs are clipped to [1e-7, 1], so negative ones get zero gradient "
                    "and the rest are never normalised",
                    fix="Add activation='softmax' to the output layer.",
                    related=related,
                )
                continue
            if loss.name not in CROSSENTROPY or loss.from_logits:
                continue
            span, related = head_or_loss(model, activation.span, loss, f"{activation.name} output chosen here",
                                         f"loss {loss.text} set here")
            if loss.name in BINARY_CE and activation.name in OUTSIDE_UNIT_INTERVAL:
                yield Finding(
                    span,
                    f"{activation.layer} feeds {loss.text}, which expects probabilities in [0, 1] "
                    f"(from_logits=False): {OUTSIDE_UNIT_INTERVAL[activation.name]} with zero gradient, so those "
                    "samples stop learning (accuracy stalls; a custom crossentropy without the clip turns NaN)",
                    fix="Use activation='sigmoid' on the output layer, or keep it linear and pass from_logits=True to the loss.",
                    related=related,
                )
                continue
            if activation.name != "linear":
                continue
            squash = "sigmoid" if loss.name in BINARY_CE else "softmax"
            yield Finding(
                span,
                f"{activation.layer} has a linear output, but {loss.text} expects probabilities "
                f"(from_logits=False): negative outputs are clipped to 1e-7 with zero gradient, or divided by a sum "
                f"near 0 -> NaN",
                fix=f"Pass from_logits=True to the loss, or add activation='{squash}' to the output layer.",
                related=related,
                autofix=self._from_logits(facts, loss),
            )

    @staticmethod
    def _from_logits(facts, loss):
        """Unsafe: the model's outputs become logits. Not for a loss several outputs share."""
        if facts.source is None or sum(1 for _, _, other in facts.output_losses() if other.span == loss.span) != 1:
            return None
        from kerlint.keras_fixes import loss_from_logits  # loaded only where fixes are wanted

        return loss_from_logits(facts.source, loss.span, loss.name)
