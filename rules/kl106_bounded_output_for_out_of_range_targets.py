from kerlint.diagnostic import Related, Severity
from kerlint.extract.keras_api import REGRESSION_LOSSES
from kerlint.rule import Finding, Rule

OUTPUT_RANGE = {"sigmoid": (0.0, 1.0), "hard_sigmoid": (0.0, 1.0), "softmax": (0.0, 1.0), "tanh": (-1.0, 1.0),
                "softsign": (-1.0, 1.0), "hard_tanh": (-1.0, 1.0)}


class BoundedOutputForOutOfRangeTargets(Rule):
    code = "KL106"
    name = "bounded-output-for-out-of-range-targets"
    tag = "activation-loss"
    severity = Severity.WARNING
    summary = "A sigmoid/tanh/softmax output is fitted by a regression loss to targets it can never reach."
    what_it_does = (
        "Finds regression losses (mse, mae, huber, ...) on a bounded output — sigmoid and softmax give [0, 1], "
        "tanh [-1, 1] — when the targets fed to fit() are known to leave that range: standardised in code "
        "(`(y - y.mean()) / y.std()`) or from a dataset whose targets are known (e.g. boston_housing, 5..50)."
    )
    why_bad = (
        "The output cannot reach the targets, so the loss has a floor it never gets under; the optimizer "
        "pushes the pre-activations to the saturated ends where the gradient vanishes, and training stalls "
        "on a plateau."
    )
    fix = "Use a linear output for regression (or rescale the targets into the activation's range)."
    references = ("https://keras.io/api/losses/regression_losses/",)
    invalid = (
        """\
import keras

(x_train, y_train), _ = keras.datasets.boston_housing.load_data()
model = keras.Sequential([keras.layers.Dense(32, activation="relu"), keras.layers.Dense(1, activation="sigmoid")])  # expect: KL106
model.compile(optimizer="adam", loss="mse")
model.fit(x_train, y_train, epochs=10)
""",
        """\
import numpy as np
import keras

y = np.load("prices.npy")
y = (y - y.mean()) / y.std()
model = keras.Sequential([keras.layers.Dense(16), keras.layers.Dense(1, activation="tanh")])  # expect: KL106
model.compile(optimizer="adam", loss="mae")
model.fit(np.load("x.npy"), y, epochs=5)
""",
    )
    valid = (
        """\
import keras

(x_train, y_train), _ = keras.datasets.boston_housing.load_data()
model = keras.Sequential([keras.layers.Dense(32, activation="relu"), keras.layers.Dense(1)])
model.compile(optimizer="adam", loss="mse")
model.fit(x_train, y_train, epochs=10)
""",
        """\
import numpy as np
import keras

y = np.load("share.npy")
model = keras.Sequential([keras.layers.Dense(16), keras.layers.Dense(1, activation="sigmoid")])
model.compile(optimizer="adam", loss="mse")
model.fit(np.load("x.npy"), y, epochs=5)
""",
    )

    def check(self, facts, options):
        for model, output, loss in facts.output_losses():
            bounds = OUTPUT_RANGE.get(output.activation.name)
            if loss.name not in REGRESSION_LOSSES or bounds is None:
                continue
            for run in model.runs:
                targets = run.targets
                if targets is None:
                    continue
                low, high = bounds
                if targets.standardized is not None:
                    where, spread = targets.standardized, f"are standardised by {targets.standardized_text} (both signs, beyond ±1)"
                elif targets.low is not None and targets.high is not None and (targets.low < low or targets.high > high):
                    where, spread = targets.span, f"span [{targets.low:g}, {targets.high:g}]"
                else:
                    continue
                yield Finding(
                    output.activation.span,
                    f"{output.activation.layer} can only output values in [{low:g}, {high:g}], but the targets "
                    f"{targets.text} {spread}: {loss.text} can never get near 0 and the saturated output stops learning",
                    related=(Related(where, "targets produced here"), Related(loss.span, f"loss {loss.text} set here")),
                )
                break
