from kerlint.diagnostic import Related, Severity
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
    summary = "In tensor code, binary crossentropy or log_loss is applied to a softmax over several units, scoring each unit on its own."
    what_it_does = (
        "Finds, in tensor code (TF1 graphs, `GradientTape` blocks, Keras 3 functions), `binary_crossentropy` "
        "(Keras loss functions and objects, `keras.ops`) or `tf.losses.log_loss` applied to a softmax over three "
        "or more units (or an unknown number): `tf.nn.softmax(...)`, `tf.layers.dense(..., activation=tf.nn.softmax)`, "
        "`Dense(n, activation='softmax')(h)`. The same pairing in `compile()` is KL111's case. A softmax over "
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
        """\
import tensorflow as tf

head = tf.keras.layers.Dense(6, activation="softmax")  # expect: KL110
bce = tf.keras.losses.BinaryCrossentropy()

def step(features, onehot, optimizer):
    with tf.GradientTape() as tape:
        loss = bce(onehot, head(features))
    grads = tape.gradient(loss, head.trainable_variables)
    optimizer.apply_gradients(zip(grads, head.trainable_variables))
""",
    )
    valid = (
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
        """\
import tensorflow as tf

head = tf.keras.layers.Dense(6, activation="softmax")
cce = tf.keras.losses.CategoricalCrossentropy()

def step(features, onehot, optimizer):
    with tf.GradientTape() as tape:
        loss = cce(onehot, head(features))
    grads = tape.gradient(loss, head.trainable_variables)
    optimizer.apply_gradients(zip(grads, head.trainable_variables))
""",
    )

    def check(self, facts, options):
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
