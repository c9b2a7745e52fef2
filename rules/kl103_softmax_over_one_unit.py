from kerlint.diagnostic import Severity
from kerlint.rule import Finding, Rule


class SoftmaxOverOneUnit(Rule):
    code = "KL103"
    name = "softmax-over-one-unit"
    tag = "activation-loss"
    severity = Severity.ERROR
    summary = "softmax over a single output unit always returns 1.0, so the model cannot learn."
    what_it_does = "Finds outputs with one unit (`Dense(1)`, `Conv2D(1, ...)`) whose effective activation is softmax."
    why_bad = (
        "softmax normalises across the last axis; over one unit the result is exp(x)/exp(x) = 1.0 for every "
        "input. Predictions never vary, gradients are zero, and the loss stays flat (binary accuracy sits at "
        "the share of positive labels)."
    )
    fix = "For a binary output use activation='sigmoid' with binary_crossentropy, or use 2 units with softmax."
    references = ("https://keras.io/api/layers/activations/#softmax-function",)
    invalid = (
        """\
import keras

model = keras.Sequential([keras.layers.Dense(16, activation="relu"), keras.layers.Dense(1, activation="softmax")])  # expect: KL103
model.compile(optimizer="adam", loss="binary_crossentropy")
""",
        """\
from keras.layers import Input, Dense, Activation
from keras.models import Model

inputs = Input(shape=(20,))
x = Dense(1)(inputs)
out = Activation('softmax')(x)  # expect: KL103
model = Model(inputs, out)
""",
    )
    valid = (
        """\
import keras

model = keras.Sequential([keras.layers.Dense(16, activation="relu"), keras.layers.Dense(1, activation="sigmoid")])
model.compile(optimizer="adam", loss="binary_crossentropy")
""",
        """\
from keras.layers import Input, Dense, Activation
from keras.models import Model

inputs = Input(shape=(20,))
x = Dense(2)(inputs)
out = Activation('softmax')(x)
model = Model(inputs, out)
""",
    )

    def check(self, facts, options):
        for model in facts.models:
            for output in model.outputs or []:
                activation = output.activation
                if activation.name == "softmax" and activation.units == 1:
                    yield Finding(
                        activation.span,
                        f"{activation.layer} applies softmax over 1 unit: it outputs 1.0 for every input, "
                        "so predictions never vary and gradients are 0",
                    )

    def probe(self, evidence):
        flat = evidence.first(lambda row: row.pred_spread is not None and row.pred_spread < 1e-7)
        if flat and all((1 if row.pred_spread is None else row.pred_spread) < 1e-7 for row in evidence.rows):
            return evidence.confirmed(f"predictions are {evidence.fmt(flat.pred_max)} for every sample at every step "
                                      f"(gradient norm {evidence.fmt(max(evidence.norms))})")
        return evidence.generic()
