import math

from kerlint.diagnostic import Severity
from kerlint.rule import Finding, Rule, head_or_loss


class SingleUnitCategoricalCrossentropy(Rule):
    code = "KL105"
    name = "single-unit-categorical-crossentropy"
    tag = "activation-loss"
    severity = Severity.ERROR
    summary = "categorical_crossentropy over a single output unit is always 0: nothing is learned."
    what_it_does = "Finds one-unit outputs (e.g. `Dense(1, activation='sigmoid')`) trained with `categorical_crossentropy`."
    why_bad = (
        "categorical_crossentropy normalises the outputs to sum to 1 across the last axis. With one unit the "
        "normalised prediction is always 1.0, so the loss -y*log(1) is 0 for every sample and every gradient "
        "is 0: accuracy sits at the share of the majority class."
    )
    fix = "Use binary_crossentropy for a one-unit (sigmoid) output, or 2 units with softmax and one-hot labels."
    references = ("https://keras.io/api/losses/probabilistic_losses/#binarycrossentropy-class",)
    invalid = (
        """\
import keras

model = keras.Sequential([keras.layers.Dense(8, activation="relu"), keras.layers.Dense(1, activation="sigmoid")])  # expect: KL105
model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
""",
        """\
from keras.layers import Dense
from keras.models import Sequential
from keras.losses import CategoricalCrossentropy

model = Sequential()
model.add(Dense(1, activation='sigmoid', input_dim=4))  # expect: KL105
model.compile(loss=CategoricalCrossentropy(), optimizer='rmsprop')
""",
    )
    valid = (
        """\
import keras

model = keras.Sequential([keras.layers.Dense(8, activation="relu"), keras.layers.Dense(1, activation="sigmoid")])
model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
""",
        """\
from keras.layers import Dense
from keras.models import Sequential
from keras.losses import CategoricalCrossentropy

model = Sequential()
model.add(Dense(2, activation='softmax', input_dim=4))
model.compile(loss=CategoricalCrossentropy(), optimizer='rmsprop')
""",
    )

    def check(self, facts, options):
        for model, output, loss in facts.output_losses():
            activation = output.activation
            if loss.name == "categorical_crossentropy" and activation.units == 1 and activation.name != "softmax":
                span, related = head_or_loss(model, activation.span, loss, "1-unit output chosen here",
                                             f"loss {loss.text} set here")
                yield Finding(
                    span,
                    f"{activation.layer} has 1 output unit, and {loss.text} normalises it to 1.0: "
                    "the loss is always 0 and no gradient flows",
                    related=related,
                )

    def probe(self, evidence):
        if all(abs(loss) < 1e-7 for loss in evidence.losses if math.isfinite(loss)) and max(evidence.norms) < 1e-7:
            return evidence.confirmed(f"loss 0 and gradient norm 0 at every one of {len(evidence.rows)} steps: nothing is learned")
        return evidence.generic()
