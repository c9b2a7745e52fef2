from kerlint.diagnostic import Related, Severity
from kerlint.keras_api import BINARY_CE, CROSSENTROPY
from kerlint.rule import Finding, Rule


class LinearOutputWithProbabilityLoss(Rule):
    code = "KL102"
    name = "linear-output-with-probability-loss"
    tag = "activation-loss"
    severity = Severity.ERROR
    summary = "A linear (logit) output feeds a crossentropy loss that expects probabilities (from_logits=False)."
    what_it_does = (
        "Finds models whose last layer has no activation (a linear output, e.g. `Dense(10)`) while the "
        "crossentropy loss is left at `from_logits=False`."
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
    )

    def check(self, facts, options):
        for model, output, loss in facts.output_losses():
            activation = output.activation
            if loss.name not in CROSSENTROPY or loss.from_logits or activation.name != "linear":
                continue
            squash = "sigmoid" if loss.name in BINARY_CE else "softmax"
            yield Finding(
                activation.span,
                f"{activation.layer} has a linear output, but {loss.text} expects probabilities "
                f"(from_logits=False): negative outputs are clipped to 1e-7 with zero gradient, or divided by a sum "
                f"near 0 -> NaN",
                fix=f"Pass from_logits=True to the loss, or add activation='{squash}' to this layer.",
                related=(Related(loss.span, f"loss {loss.text} set here"),),
            )
