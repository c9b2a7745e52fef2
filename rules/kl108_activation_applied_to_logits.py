from kerlint.diagnostic import Related, Severity
from kerlint.rule import Finding, Rule

# What each activation does to logits.
REASONS = {
    "relu": "relu sets every negative logit to 0, so no class can score below a zero logit and units fed "
            "negative values get no gradient",
    "relu6": "relu6 keeps logits in [0, 6], so no class can score below a zero logit and the loss cannot approach 0",
    "leaky_relu": "leaky_relu shrinks every negative logit, so the model can barely express a low probability",
    "elu": "elu bounds every logit below by -1, so no class can get a low probability",
    "selu": "selu bounds every logit below by about -1.76, so no class can get a low probability",
    "tanh": "tanh bounds the logits to [-1, 1], so probabilities stay near uniform and the loss cannot fall far",
    "softplus": "softplus keeps logits positive, so no class can score below a zero logit",
    "hard_sigmoid": "hard_sigmoid keeps logits in [0, 1], so probabilities stay near uniform",
    "softsign": "softsign bounds the logits to (-1, 1), so probabilities stay near uniform",
    "exponential": "exp keeps logits positive and overflows to inf for large inputs",
    "gelu": "gelu bounds every logit below by about -0.17, so no class can get a low probability",
    "silu": "silu bounds every logit below by about -0.28, so no class can get a low probability",
}


class ActivationAppliedToLogits(Rule):
    code = "KL108"
    name = "activation-applied-to-logits"
    tag = "activation-loss"
    severity = Severity.ERROR
    summary = "A relu/tanh/... output is passed as `logits` to a crossentropy op: the activation clips or bounds the logits."
    what_it_does = (
        "Finds crossentropies computed in code that expect logits (`tf.nn.*_cross_entropy_with_logits`, "
        "`tf.losses.softmax_cross_entropy` / `sigmoid_cross_entropy`, Keras losses with `from_logits=True` "
        "applied to tensors) whose logits come out of an activation other than softmax/sigmoid: relu, elu, "
        "tanh, softplus... — `tf.nn.relu(tf.matmul(h, W) + b)`, `tf.layers.dense(h, 10, activation=tf.nn.relu)`, "
        "`tf.contrib.layers.fully_connected(h, 10)` (whose default activation is relu). Softmax and sigmoid "
        "outputs are KL107's case."
    )
    why_bad = (
        "Logits must range over all reals: a class is unlikely exactly when its logit is very negative. An "
        "activation on the last layer takes that away — relu turns every negative logit into 0 (and its "
        "gradient into 0), tanh squeezes all logits into [-1, 1] — so the loss plateaus far above 0 and "
        "the model cannot become confident."
    )
    fix = "Leave the last layer linear (`activation=None`, `activation_fn=None`) and let the op apply softmax/sigmoid."
    references = ("https://www.tensorflow.org/api_docs/python/tf/nn/softmax_cross_entropy_with_logits",)
    invalid = (
        """\
import tensorflow as tf

images = tf.compat.v1.placeholder(tf.float32, [None, 784])
labels = tf.compat.v1.placeholder(tf.int64, [None])
hidden = tf.compat.v1.layers.dense(images, 128, activation=tf.nn.relu)
logits = tf.compat.v1.layers.dense(hidden, 10, activation=tf.nn.relu)  # expect: KL108
loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits))
train_op = tf.compat.v1.train.AdamOptimizer(1e-3).minimize(loss)
""",
        """\
import tensorflow as tf

model = tf.keras.Sequential([tf.keras.layers.Dense(64, activation="relu")])
out = tf.keras.layers.Dense(10, activation="tanh")  # expect: KL108

def step(x, y, optimizer):
    with tf.GradientTape() as tape:
        scores = out(model(x))
        loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=scores))
    variables = model.trainable_variables + out.trainable_variables
    optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables))
""",
        """\
import keras
from keras import ops

def objective(labels, hidden):
    logits = ops.relu(keras.layers.Dense(3)(hidden))  # expect: KL108
    return ops.mean(keras.losses.categorical_crossentropy(labels, logits, from_logits=True))
""",
    )
    valid = (
        """\
import tensorflow as tf

images = tf.compat.v1.placeholder(tf.float32, [None, 784])
labels = tf.compat.v1.placeholder(tf.int64, [None])
hidden = tf.compat.v1.layers.dense(images, 128, activation=tf.nn.relu)
logits = tf.compat.v1.layers.dense(hidden, 10, activation=None)
loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits))
train_op = tf.compat.v1.train.AdamOptimizer(1e-3).minimize(loss)
""",
        """\
import tensorflow as tf

model = tf.keras.Sequential([tf.keras.layers.Dense(64, activation="relu")])
out = tf.keras.layers.Dense(10)

def step(x, y, optimizer):
    with tf.GradientTape() as tape:
        scores = out(model(x))
        loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=scores))
    variables = model.trainable_variables + out.trainable_variables
    optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables))
""",
        """\
import keras
from keras import ops

def objective(labels, hidden):
    logits = keras.layers.Dense(3)(hidden)
    return ops.mean(keras.losses.categorical_crossentropy(labels, logits, from_logits=True))
""",
    )

    def check(self, facts, options):
        reported = set()  # one finding per output, however many losses (train, test) it feeds
        for loss in facts.loss_calls:
            activation = loss.activation
            if activation.span in reported:
                continue
            if loss.expects != "logits" or activation.name not in REASONS:
                continue
            reported.add(activation.span)
            yield Finding(
                activation.span,
                f"{loss.prediction_text} comes out of {activation.layer} and is passed as logits to {loss.op}: "
                f"{REASONS[activation.name]}",
                related=(Related(loss.span, f"{loss.op} given it as logits here"),),
            )
