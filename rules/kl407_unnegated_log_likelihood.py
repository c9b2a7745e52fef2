from kerlint.diagnostic import Severity
from kerlint.rule import Finding, Rule


class UnnegatedLogLikelihood(Rule):
    code = "KL407"
    name = "unnegated-log-likelihood"
    tag = "loss-numerics"
    severity = Severity.ERROR
    summary = "A custom loss returns a log-likelihood (a sum of log-probabilities) that is never negated."
    what_it_does = (
        "Follows the sign of a custom loss's returned value through unary minus, subtraction, multiplication "
        "by constants and by target-derived weights (y_true, 1 - y_true, 1 + y_true), and reductions (mean, "
        "sum). Reports the return when the value is a combination of log-probability terms (logs of the "
        "prediction, `log_softmax`, `log_sigmoid`) with non-negative weights and no minus in front. When any weight's sign is unknown it "
        "stays silent. Metrics are not checked: a log-likelihood metric is fine. The same holds for a value "
        "differentiated outside a loss function (the target of `tape.gradient`, the loss given to `minimize` in "
        "TF1 graph code) when it is a log-likelihood of the targets (`labels * log(p)`), reported where the "
        "value is defined; a log with no target weight there (a GAN generator's `log(1 - D(G(z)))`) is "
        "minimized on purpose and left alone."
    )
    why_bad = (
        "Each log-probability is <= 0, so such a 'loss' is <= 0 and the optimizer minimizes it by driving "
        "the log terms toward log(0) = -inf: predictions run to the wrong end of their range instead of "
        "fitting the targets, the loss falls without bound (often shown as a growing negative number) and "
        "finally turns NaN. Seed 004's answer, `bce_modified`, returns "
        "`(1.0/2.0) * ((1-y_true) * K.log(1-y_pred) + (1+y_true) * K.log(1+y_pred))` without the minus."
    )
    fix = "Negate the log-likelihood: return `-K.mean(...)` (a crossentropy is minus the mean log-likelihood)."
    references = (
        "https://keras.io/api/losses/probabilistic_losses/#binarycrossentropy-class",
        "Stack Overflow seed 004 (answer): a modified binary crossentropy for tanh outputs",
    )
    invalid = (
        """\
from keras import backend as K

def bce_modified(y_true, y_pred):
    y_pred = K.clip(y_pred, -1 + K.epsilon(), 1 - K.epsilon())
    return (1.0/2.0) * ((1-y_true) * K.log(1-y_pred) + (1+y_true) * K.log(1+y_pred))  # expect: KL407

model.compile(optimizer="adam", loss=bce_modified)
""",
        """\
import tensorflow as tf

def categorical_ce(y_true, y_pred):
    y_pred = tf.clip_by_value(y_pred, 1e-7, 1.0)
    log_likelihood = tf.reduce_sum(y_true * tf.math.log(y_pred), axis=-1)
    return tf.reduce_mean(log_likelihood)  # expect: KL407
""",
        """\
from keras import ops

class WeightedBCE:
    def __call__(self, y_true, y_pred):
        p = ops.clip(y_pred, 1e-7, 1 - 1e-7)
        return ops.mean(3.0 * y_true * ops.log(p) + (1 - y_true) * ops.log(1 - p))  # expect: KL407
""",
        """\
import tensorflow as tf

x = tf.compat.v1.placeholder(tf.float32, [None, 784])
labels = tf.compat.v1.placeholder(tf.float32, [None, 10])
W = tf.Variable(tf.zeros([784, 10]))
probs = tf.nn.softmax(tf.matmul(x, W))
log_likelihood = tf.reduce_mean(tf.reduce_sum(labels * tf.math.log(tf.clip_by_value(probs, 1e-7, 1.0)), axis=1))  # expect: KL407
train_op = tf.compat.v1.train.GradientDescentOptimizer(0.5).minimize(log_likelihood)
""",
        """\
import tensorflow as tf

def train_step(model, optimizer, images, labels):
    with tf.GradientTape() as tape:
        probs = tf.clip_by_value(model(images, training=True), 1e-7, 1.0)
        loss = tf.reduce_mean(tf.reduce_sum(labels * tf.math.log(probs), axis=-1))  # expect: KL407
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables))
""",
        """\
import tensorflow as tf

clf = tf.keras.Sequential([tf.keras.layers.Dense(10)])

def step(x, y_onehot, optimizer):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.reduce_sum(y_onehot * tf.nn.log_softmax(clf(x)), axis=-1))  # expect: KL407
    grads = tape.gradient(loss, clf.trainable_variables)
    optimizer.apply_gradients(zip(grads, clf.trainable_variables))
""",
    )
    valid = (
        """\
from keras import backend as K

def bce_modified(y_true, y_pred):
    y_pred = K.clip(y_pred, -1 + K.epsilon(), 1 - K.epsilon())
    return -(1.0/2.0) * ((1-y_true) * K.log(1-y_pred) + (1+y_true) * K.log(1+y_pred))

model.compile(optimizer="adam", loss=bce_modified)
""",
        """\
import tensorflow as tf

def categorical_ce(y_true, y_pred):
    y_pred = tf.clip_by_value(y_pred, 1e-7, 1.0)
    return tf.reduce_mean(-tf.reduce_sum(y_true * tf.math.log(y_pred), axis=-1))
""",
        """\
from keras import ops

class WeightedBCE:
    def __call__(self, y_true, y_pred):
        p = ops.clip(y_pred, 1e-7, 1 - 1e-7)
        return -ops.mean(3.0 * y_true * ops.log(p) + (1 - y_true) * ops.log(1 - p))
""",
        """\
from keras import backend as K

def dice_loss(y_true, y_pred, smooth=1.0):
    intersection = K.sum(y_true * y_pred)
    dice = (2.0 * intersection + smooth) / (K.sum(y_true) + K.sum(y_pred) + smooth)
    return 1 - dice
""",
        """\
from keras import backend as K

def log_likelihood(y_true, y_pred):
    return K.mean(y_true * K.log(K.clip(y_pred, K.epsilon(), 1.0)))

def nll(y_true, y_pred):
    return -log_likelihood(y_true, y_pred)
""",
        """\
import tensorflow as tf

x = tf.compat.v1.placeholder(tf.float32, [None, 784])
labels = tf.compat.v1.placeholder(tf.float32, [None, 10])
W = tf.Variable(tf.zeros([784, 10]))
probs = tf.nn.softmax(tf.matmul(x, W))
log_likelihood = tf.reduce_mean(tf.reduce_sum(labels * tf.math.log(tf.clip_by_value(probs, 1e-7, 1.0)), axis=1))
train_op = tf.compat.v1.train.GradientDescentOptimizer(0.5).minimize(-log_likelihood)
""",
        """\
import tensorflow as tf

def train_step(model, optimizer, images, labels):
    with tf.GradientTape() as tape:
        probs = tf.clip_by_value(model(images, training=True), 1e-7, 1.0)
        loss = -tf.reduce_mean(tf.reduce_sum(labels * tf.math.log(probs), axis=-1))
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables))
""",
        """\
import tensorflow as tf

clf = tf.keras.Sequential([tf.keras.layers.Dense(10)])

def step(x, y_onehot, optimizer):
    with tf.GradientTape() as tape:
        loss = -tf.reduce_mean(tf.reduce_sum(y_onehot * tf.nn.log_softmax(clf(x)), axis=-1))
    grads = tape.gradient(loss, clf.trainable_variables)
    optimizer.apply_gradients(zip(grads, clf.trainable_variables))
""",
    )

    def check(self, facts, options):
        for function in facts.custom_functions:
            found = function.unnegated_log_likelihood
            if found is not None:
                yield Finding(
                    found.span,
                    f"{found.function} {found.verb} {found.text}: a sum of log-probabilities with non-negative weights "
                    "that is never negated, so the loss is <= 0 and minimizing it drives predictions toward "
                    "log(0) = -inf instead of fitting the targets; negate it (return -...)",
                )

    def probe(self, evidence):
        negative = evidence.negative_loss()
        if negative:
            text = f"loss {evidence.fmt(negative[1])} < 0 (first negative at step {negative[0]}): the log-likelihood is maximised toward -inf"
            return evidence.confirmed(text + (f"; {evidence.broken}" if evidence.broken else ""))
        return evidence.generic()
