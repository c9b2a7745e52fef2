from kerlint.diagnostic import Related, Severity
from kerlint.rule import Finding, Rule


def applied_squashing(op: str) -> str:
    """The squashing a logits loss applies itself: sigmoid for binary ops, softmax otherwise."""
    return "sigmoid" if "sigmoid" in op or "binary" in op or "weighted" in op else "softmax"


class ProbabilityPassedAsLogits(Rule):
    code = "KL107"
    name = "probability-passed-as-logits"
    tag = "activation-loss"
    severity = Severity.ERROR
    summary = "A softmax/sigmoid output is passed as `logits` to a crossentropy op that applies softmax/sigmoid itself."
    what_it_does = (
        "Finds crossentropies computed in code that expect logits — `tf.nn.softmax_cross_entropy_with_logits`, "
        "`tf.nn.sigmoid_cross_entropy_with_logits`, `tf.nn.sparse_softmax_cross_entropy_with_logits`, "
        "`tf.losses.softmax_cross_entropy` / `sigmoid_cross_entropy` (TF1 and `tf.compat.v1`), and Keras loss "
        "functions or objects with `from_logits=True` applied to tensors — whose logits argument comes out of a "
        "softmax or sigmoid: `tf.nn.softmax(...)`, `tf.layers.dense(..., activation=tf.nn.softmax)`, "
        "`Dense(n, activation='sigmoid')(h)`. The tensor is followed through names, reshapes, dropout and "
        "the helper functions that return it."
    )
    why_bad = (
        "The op squashes its input again: softmax of probabilities in [0, 1] is close to uniform, sigmoid of "
        "them lies in 0.5..0.73. The loss cannot fall far, its gradients shrink by the second squashing's "
        "slope, and the model trains slowly or stalls at chance."
    )
    fix = (
        "Pass the pre-activation tensor (the logits) to the op and keep softmax/sigmoid only for predictions, "
        "or keep the activation and use a loss that takes probabilities (`tf.keras.losses.categorical_crossentropy`)."
    )
    references = (
        "https://www.tensorflow.org/api_docs/python/tf/nn/softmax_cross_entropy_with_logits",
        "https://www.tensorflow.org/api_docs/python/tf/nn/sigmoid_cross_entropy_with_logits",
    )
    invalid = (
        """\
import tensorflow as tf

x = tf.compat.v1.placeholder(tf.float32, [None, 784])
labels = tf.compat.v1.placeholder(tf.float32, [None, 10])
W = tf.Variable(tf.zeros([784, 10]))
b = tf.Variable(tf.zeros([10]))
probs = tf.nn.softmax(tf.matmul(x, W) + b)  # expect: KL107
loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=labels, logits=probs))
train_op = tf.compat.v1.train.GradientDescentOptimizer(0.5).minimize(loss)
""",
        """\
import tensorflow as tf

head = tf.keras.layers.Dense(1, activation="sigmoid")  # expect: KL107

@tf.function
def train_step(features, targets, optimizer):
    with tf.GradientTape() as tape:
        scores = head(features)
        loss = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=targets, logits=scores))
    grads = tape.gradient(loss, head.trainable_variables)
    optimizer.apply_gradients(zip(grads, head.trainable_variables))
""",
        """\
import keras
from keras import ops

def classify(hidden):
    return keras.layers.Dense(5, activation="softmax")(hidden)  # expect: KL107

def objective(labels, hidden):
    return ops.mean(ops.categorical_crossentropy(labels, classify(hidden), from_logits=True))
""",
    )
    valid = (
        """\
import tensorflow as tf

x = tf.compat.v1.placeholder(tf.float32, [None, 784])
labels = tf.compat.v1.placeholder(tf.float32, [None, 10])
W = tf.Variable(tf.zeros([784, 10]))
b = tf.Variable(tf.zeros([10]))
logits = tf.matmul(x, W) + b
probs = tf.nn.softmax(logits)
loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=labels, logits=logits))
train_op = tf.compat.v1.train.GradientDescentOptimizer(0.5).minimize(loss)
""",
        """\
import tensorflow as tf

head = tf.keras.layers.Dense(1)

@tf.function
def train_step(features, targets, optimizer):
    with tf.GradientTape() as tape:
        scores = head(features)
        loss = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=targets, logits=scores))
    grads = tape.gradient(loss, head.trainable_variables)
    optimizer.apply_gradients(zip(grads, head.trainable_variables))
""",
        """\
import keras
from keras import ops

def classify(hidden):
    return keras.layers.Dense(5, activation="softmax")(hidden)

def objective(labels, hidden):
    return ops.mean(ops.categorical_crossentropy(labels, classify(hidden)))
""",
    )

    def check(self, facts, options):
        reported = set()  # one finding per output, however many losses (train, test) it feeds
        for loss in facts.loss_calls:
            activation = loss.activation
            if activation.span in reported:
                continue
            if loss.expects != "logits" or activation.name not in ("softmax", "sigmoid"):
                continue
            again = applied_squashing(loss.op)
            reported.add(activation.span)
            yield Finding(
                activation.span,
                f"{loss.prediction_text} comes out of {activation.layer}, which applies {activation.name}, but "
                f"{loss.op} expects logits and applies {again} again: outputs are squashed twice, the loss cannot "
                "fall far and gradients shrink",
                related=(Related(loss.span, f"{loss.op} given it as logits here"),),
            )
