from kerlint.diagnostic import Related, Severity
from kerlint.extract.keras_api import BINARY_CE
from kerlint.rule import Finding, Rule

BINARY_LOSS_OPS = ("binary_crossentropy", "log_loss")


def _consequence(units: int | None) -> str:
    return ("the loss treats each class as a separate yes/no, so the K-1 easy negatives dominate it, and 'accuracy' "
            "becomes binary accuracy, (K-1)/K at chance: training looks good while the model learns little")


class SoftmaxOutputWithBinaryCrossentropy(Rule):
    code = "KL110"
    name = "softmax-output-with-binary-crossentropy"
    tag = "activation-loss"
    severity = Severity.WARNING
    summary = "A softmax output over several units is trained with binary crossentropy, which scores each unit on its own."
    what_it_does = (
        "Finds model outputs whose effective activation is softmax over three or more units (or an unknown number) "
        "while the loss is `binary_crossentropy` / `BinaryCrossentropy()` without `from_logits=True`; and, in "
        "tensor code, `binary_crossentropy` or `tf.losses.log_loss` applied to such a softmax output. A softmax over "
        "one unit is KL103's case; over two units with one-hot targets, binary crossentropy equals categorical "
        "crossentropy (both units' terms are the same), so it is not reported."
    )
    why_bad = (
        "Binary crossentropy treats every output unit as an independent probability of a yes/no label; softmax "
        "makes the units compete (they sum to 1). Paired, the loss is dominated by the many classes each sample "
        "is not, and Keras reports `accuracy` as binary accuracy over all units, which is (K-1)/K for a model "
        "that predicts nothing — the classic \"99% accuracy but useless predictions\" question."
    )
    fix = (
        "Use `categorical_crossentropy` (one-hot targets) or `sparse_categorical_crossentropy` (integer targets) "
        "with the softmax; if several labels can be true at once, use `activation='sigmoid'` with binary crossentropy."
    )
    references = ("https://keras.io/api/losses/probabilistic_losses/",)
    invalid = (
        """\
import keras

model = keras.Sequential([keras.layers.Dense(64, activation="relu"), keras.layers.Dense(5, activation="softmax")])  # expect: KL110
model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
""",
        """\
import tensorflow as tf

images = tf.compat.v1.placeholder(tf.float32, [None, 784])
onehot = tf.compat.v1.placeholder(tf.float32, [None, 10])
probs = tf.compat.v1.layers.dense(images, 10, activation=tf.nn.softmax)  # expect: KL110
loss = tf.compat.v1.losses.log_loss(onehot, probs)
train_op = tf.compat.v1.train.AdamOptimizer(1e-3).minimize(loss)
""",
        """\
import keras
from keras import ops

def objective(labels, hidden):
    probs = keras.layers.Dense(3, activation="softmax")(hidden)  # expect: KL110
    return ops.mean(ops.binary_crossentropy(labels, probs))
""",
    )
    valid = (
        """\
import keras

model = keras.Sequential([keras.layers.Dense(64, activation="relu"), keras.layers.Dense(5, activation="softmax")])
model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
""",
        """\
import tensorflow as tf

images = tf.compat.v1.placeholder(tf.float32, [None, 784])
onehot = tf.compat.v1.placeholder(tf.float32, [None, 10])
logits = tf.compat.v1.layers.dense(images, 10)
loss = tf.compat.v1.losses.softmax_cross_entropy(onehot, logits)
train_op = tf.compat.v1.train.AdamOptimizer(1e-3).minimize(loss)
""",
        """\
import keras
from keras import ops

def objective(labels, hidden):
    probs = keras.layers.Dense(3, activation="sigmoid")(hidden)
    return ops.mean(ops.binary_crossentropy(labels, probs))
""",
    )

    def check(self, facts, options):
        for model, output, loss in facts.output_losses():
            activation = output.activation
            if loss.name in BINARY_CE and not loss.from_logits and activation.name == "softmax" and activation.units not in (1, 2):
                yield Finding(
                    activation.span,
                    f"{activation.layer} applies softmax, but {loss.text} scores each unit on its own: "
                    f"{_consequence(activation.units)}",
                    related=(Related(loss.span, f"loss {loss.text} set here"),),
                )
        reported = set()  # one finding per output, however many losses (train, test) it feeds
        for loss in facts.loss_calls:
            activation = loss.activation
            if activation.span in reported:
                continue
            if (loss.op in BINARY_LOSS_OPS and loss.expects == "probabilities" and activation.name == "softmax"
                    and activation.units not in (1, 2)):
                reported.add(activation.span)
                yield Finding(
                    activation.span,
                    f"{loss.prediction_text} comes out of {activation.layer}, a softmax, but {loss.op} scores each "
                    f"unit on its own: {_consequence(activation.units)}",
                    related=(Related(loss.span, f"{loss.op} applied here"),),
                )
