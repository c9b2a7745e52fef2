import math

from kerlint.diagnostic import Related, Severity
from kerlint.keras_api import REGRESSION_LOSSES
from kerlint.rule import Finding, Rule, head_or_loss

OUTPUT_RANGE = {"sigmoid": (0.0, 1.0), "hard_sigmoid": (0.0, 1.0), "softmax": (0.0, 1.0), "tanh": (-1.0, 1.0),
                "softsign": (-1.0, 1.0), "hard_tanh": (-1.0, 1.0), "relu": (0.0, math.inf), "relu6": (0.0, 6.0),
                "softplus": (0.0, math.inf), "exponential": (0.0, math.inf)}


class BoundedOutputForOutOfRangeTargets(Rule):
    code = "KL106"
    name = "bounded-output-for-out-of-range-targets"
    tag = "activation-loss"
    severity = Severity.WARNING
    summary = "A sigmoid/tanh/softmax output is fitted by a regression loss to targets it can never reach."
    what_it_does = (
        "Finds regression losses (mse, mae, huber, ...) on a bounded output — sigmoid and softmax give [0, 1], "
        "tanh [-1, 1], relu and softplus [0, inf) — when the targets fed to fit() are known to leave that range: "
        "standardised in code (`(y - y.mean()) / y.std()`), from a dataset whose targets are known (e.g. "
        "boston_housing, 5..50), or computed from NumPy constructors (`x = np.linspace(-1, 1, 200)`, "
        "`y = x**2 + 3`, `np.random.randn(...)`)."
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
        """\
import numpy as np
import keras

x = np.linspace(-1, 1, 200)
y = x**2 + 3
model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(16, activation="relu"), keras.layers.Dense(1, activation="sigmoid")])  # expect: KL106
model.compile(optimizer="sgd", loss="mse")
model.fit(x, y, epochs=50)
""",
        """\
import numpy as np
import keras

x = np.random.rand(500, 3)
y = x[:, 0] - x[:, 1]
model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(8, activation="relu"), keras.layers.Dense(1, activation="relu")])  # expect: KL106
model.compile(optimizer="adam", loss="mae")
model.fit(x, y, epochs=20)
""",
        """\
from sklearn.datasets import make_regression
from sklearn.model_selection import train_test_split
from keras import Sequential
from keras.layers import Dense

X, y = make_regression(10000, 50)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.33)
model = Sequential([Dense(64, activation="relu", input_shape=(50,)), Dense(1, activation="relu")])  # expect: KL106
model.compile(loss="mse", optimizer="adam")
model.fit(X_train, y_train, epochs=10)
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
        """\
import numpy as np
import keras

x = np.linspace(-1, 1, 200)
y = x**2 + 3
model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(16, activation="relu"), keras.layers.Dense(1)])
model.compile(optimizer="sgd", loss="mse")
model.fit(x, y, epochs=50)
""",
        """\
import numpy as np
import keras

x = np.random.rand(500, 3)
y = x[:, 0] + x[:, 1]
model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(8, activation="relu"), keras.layers.Dense(1, activation="relu")])
model.compile(optimizer="adam", loss="mae")
model.fit(x, y, epochs=20)
""",
    )

    def check(self, facts, options):
        for model, output, loss in facts.output_losses():
            bounds = OUTPUT_RANGE.get(output.activation.name)
            if loss.name not in REGRESSION_LOSSES or bounds is None:
                continue
            for run in model.runs_of(facts.compile_of(model, loss)):
                targets = run.targets
                if targets is None:
                    continue
                low, high = bounds
                if output.activation.units == 1 and targets.classes is not None and targets.classes > 2:
                    continue  # a classification problem on a one-unit head: KL111 says what to change
                if math.isinf(high) and targets.standardized is None and (targets.low is None or targets.low >= low):
                    continue  # relu/softplus reach every target >= 0
                if targets.standardized is not None:
                    where, spread = targets.standardized, f"come from {targets.standardized_text} (both signs, beyond ±1)"
                elif targets.low is not None and targets.high is not None and (targets.low < low or targets.high > high):
                    where, spread = targets.span, f"span [{targets.low:.3g}, {targets.high:.3g}]"
                else:
                    continue
                span, related = head_or_loss(model, output.activation.span, loss,
                                             f"{output.activation.name} output chosen here", f"loss {loss.text} set here")
                yield Finding(
                    span,
                    f"{output.activation.layer} can only output values in [{low:g}, {high:g}], but the targets "
                    f"{targets.text} {spread}: {loss.text} can never get near 0 and the saturated output stops learning",
                    related=(Related(where, "targets produced here"), *related),
                )
                break

    def probe(self, evidence):
        return evidence.target_domain()
