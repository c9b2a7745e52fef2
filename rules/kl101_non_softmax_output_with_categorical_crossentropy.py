from kerlint.diagnostic import Severity
from kerlint.keras_api import CATEGORICAL_CE
from kerlint.rule import Finding, Rule, head_or_loss

# Why each activation breaks a probability loss that normalises outputs by their sum.
REASONS = {
    "relu": "relu outputs can all be 0, so the loss divides 0 by their sum 0 -> NaN",
    "relu6": "relu6 outputs can all be 0, so the loss divides 0 by their sum 0 -> NaN",
    "elu": "elu outputs can be negative, so the normalised 'probabilities' can be negative or divide by a sum near 0 -> NaN",
    "selu": "selu outputs can be negative, so the normalised 'probabilities' can be negative or divide by a sum near 0 -> NaN",
    "tanh": "tanh outputs can be negative, so the normalised 'probabilities' can be negative or divide by a sum near 0 -> NaN",
    "leaky_relu": "leaky_relu outputs can be negative or all near 0, so the loss can divide by a sum near 0 -> NaN",
    "prelu": "PReLU outputs can be negative or all near 0, so the loss can divide by a sum near 0 -> NaN",
    "gelu": "gelu outputs can be negative, so the normalised 'probabilities' are meaningless and can divide by ~0 -> NaN",
    "silu": "silu outputs can be negative, so the normalised 'probabilities' are meaningless and can divide by ~0 -> NaN",
    "softplus": "softplus outputs are unbounded positives, not a distribution: the loss rescales them and gradients grow with them",
    "softsign": "softsign outputs can be negative, so the normalised 'probabilities' are meaningless and can divide by ~0 -> NaN",
    "exponential": "exponential outputs overflow to inf -> NaN",
    "log_softmax": "log_softmax outputs are negative log-probabilities, so the loss normalises negative numbers -> garbage or NaN",
    "sigmoid": "sigmoid units don't sum to 1: the loss rescales them by their sum, so each unit saturates on its own "
               "and gradients vanish (for multi-label targets use binary_crossentropy)",
    "hard_sigmoid": "hard_sigmoid units don't sum to 1 and can all be 0, so the loss can divide by a sum of 0 -> NaN",
    "mish": "mish outputs can be negative, so the normalised 'probabilities' are meaningless and can divide by ~0 -> NaN",
}


class NonSoftmaxOutputWithCategoricalCrossentropy(Rule):
    code = "KL101"
    name = "non-softmax-output-with-categorical-crossentropy"
    tag = "activation-loss"
    severity = Severity.ERROR
    fixable = "unsafe"  # the head's activation -> softmax: it changes the model
    summary = "The last layer's activation (relu, tanh, elu, ...) does not produce probabilities for a categorical crossentropy loss."
    what_it_does = (
        "Finds models whose effective final activation is not a probability distribution — relu, tanh, elu, "
        "selu, softplus, leaky_relu, ... — while the loss is `categorical_crossentropy` or "
        "`sparse_categorical_crossentropy` with `from_logits=False` (the default). The activation is read "
        "from the layer's `activation=` argument or a trailing `Activation`/`ReLU`/... layer, never from "
        "layer names."
    )
    why_bad = (
        "With `from_logits=False`, Keras treats the outputs as probabilities: it divides them by their sum "
        "and takes the log. A relu output can be all zeros (0/0 -> NaN); tanh, elu and friends give negative "
        "values. Training starts fine and then the loss turns NaN and accuracy drops to chance — the "
        "failure in Stack Overflow's \"loss of my VGG16 head becomes nan\" (the fix was `softmax`)."
    )
    fix = "Use activation='softmax' on the output layer, or keep it linear and pass from_logits=True to the loss."
    references = (
        "https://keras.io/api/losses/probabilistic_losses/#categoricalcrossentropy-class",
        "Stack Overflow seed 003: CNN loss becomes nan (Dense(2, activation='relu') before categorical_crossentropy)",
    )
    invalid = (
        """\
from keras.models import Sequential
from keras.layers import Dense, Flatten

model = Sequential([Flatten(input_shape=(28, 28)), Dense(10, activation='relu')])  # expect: KL101
model.compile(loss='categorical_crossentropy', optimizer='adam', metrics=['accuracy'])
""",
        """\
import keras

inputs = keras.Input((32,))
hidden = keras.layers.Dense(64, activation="relu")(inputs)
logits = keras.layers.Dense(3)(hidden)
probs = keras.layers.Activation("tanh")(logits)  # expect: KL101
model = keras.Model(inputs, probs)
model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy())
""",
        """\
from tensorflow.keras import layers, models

model = models.Sequential([layers.Dense(16, activation="relu"), layers.Dense(3, activation="sigmoid")])  # expect: KL101
model.compile(optimizer="adam", loss="categorical_crossentropy")
""",
        """\
import keras

base = keras.applications.MobileNetV2(include_top=False, pooling="avg")
model = keras.Sequential([base, keras.layers.Dense(4, activation="sigmoid")])
base.trainable = False
model.compile(optimizer="adam", loss="categorical_crossentropy")  # expect: KL101
model.fit(x_train, y_train, epochs=5)
base.trainable = True
model.compile(optimizer=keras.optimizers.Adam(1e-5), loss="categorical_crossentropy")  # expect: KL101
model.fit(x_train, y_train, epochs=5)
""",
    )
    valid = (
        """\
from keras.models import Sequential
from keras.layers import Dense, Flatten

model = Sequential([Flatten(input_shape=(28, 28)), Dense(10, activation='softmax')])
model.compile(loss='categorical_crossentropy', optimizer='adam', metrics=['accuracy'])
""",
        """\
import keras

inputs = keras.Input((32,))
hidden = keras.layers.Dense(64, activation="relu")(inputs)
outputs = keras.layers.Dense(3, activation="relu")(hidden)
model = keras.Model(inputs, outputs)
model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
""",
        """\
import tensorflow as tf

model = tf.keras.Sequential([tf.keras.layers.Dense(8, activation="relu"), tf.keras.layers.Dense(4), tf.keras.layers.Softmax()])
model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
""",
        """\
import keras

base = keras.applications.MobileNetV2(include_top=False, pooling="avg")
model = keras.Sequential([base, keras.layers.Dense(4, activation="sigmoid")])
base.trainable = False
model.compile(optimizer="adam", loss="binary_crossentropy")
model.fit(x_train, y_train, epochs=5)
base.trainable = True
model.compile(optimizer=keras.optimizers.Adam(1e-5), loss="binary_crossentropy")
model.fit(x_train, y_train, epochs=5)
""",
    )

    def check(self, facts, options):
        for model, output, loss in facts.output_losses():
            activation = output.activation
            if loss.name not in CATEGORICAL_CE or loss.from_logits or activation.name not in REASONS:
                continue
            if activation.name in ("sigmoid", "hard_sigmoid") and activation.units in (None, 1):
                continue  # one sigmoid unit is KL105's case; an unknown width may be a sparse binary head
            span, related = head_or_loss(model, activation.span, loss, f"{activation.name} output chosen here",
                                         f"loss {loss.text} set here")
            yield Finding(
                span,
                f"{activation.layer} feeds {loss.name}: {REASONS[activation.name]}",
                related=related,
                autofix=self._softmax(facts, model, activation),
            )

    @staticmethod
    def _softmax(facts, model, activation):
        """Unsafe: it changes the model. Only on a head known to have several units (softmax over one is KL103),
        and compiled once (the head is what every compile() trains)."""
        if facts.source is None or activation.units is None or activation.units < 2 or len(model.compiles) > 1:
            return None
        from kerlint.renames import rename_string  # loaded only where fixes are wanted

        return rename_string(facts.source, activation.span, activation.name, "softmax", "Use a softmax output", "unsafe")

    def probe(self, evidence):
        zero = evidence.first(lambda row: row.zero_sum is not None and row.zero_sum > 0)
        if evidence.broken:
            also = f"; {zero.zero_sum:.0%} of samples' outputs summed to 0 at step {zero.step}" if zero else ""
            return evidence.confirmed(evidence.broken + also)
        if zero:
            return evidence.confirmed(f"at step {zero.step} {zero.zero_sum:.0%} of samples have every output 0: categorical CE divides 0 by 0")
        return evidence.not_reproduced(evidence.summary() + "; no sample's outputs summed to 0")
