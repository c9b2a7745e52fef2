from kerlint.diagnostic import Severity
from kerlint.rule import Finding, Rule


class UnguardedNegativePower(Rule):
    code = "KL404"
    name = "unguarded-negative-power"
    tag = "loss-numerics"
    severity = Severity.WARNING
    summary = "A negative power inside a custom loss, metric or differentiated objective of a value, computed from the predictions, that can be 0."
    what_it_does = (
        "Finds `x ** -k`, `K.pow(x, -k)`, `keras.ops.power(x, -k)`, `tf.math.pow(x, -k)` and `np.power(x, -k)` "
        "with a negative exponent inside custom losses and metrics, where x is computed from y_true or y_pred "
        "and nothing (an epsilon, a clip, a `maximum`) keeps it away from 0."
        " Losses are found wherever they are differentiated: `compile(loss=...)` functions, `Loss` subclasses, "
        "`add_loss(...)`, the target of `tape.gradient(...)`, `optimizer.minimize(...)` (Keras, `tf.train`, "
        "`tf.compat.v1.train`), `compute_gradients`, `tf.gradients` and `compute_loss` overrides, and the function a "
        "`layers.Lambda` wraps in a module that trains a model, with the names,"
        " helpers, indexing and reductions they are built from (TF1 graph code included). Only values that carry "
        "a gradient count: computed from the prediction (a model or layer call, `tf.layers.dense`, `tf.matmul(x, "
        "W) + b` with `tf.Variable` weights) or from trainable weights, not from the targets or placeholders "
        "alone."
    )
    why_bad = (
        "x ** -k is 1 / x ** k: at x = 0 it is inf, and its gradient -k x ** (-k-1) is inf too. A soft "
        "count of predicted pixels (`K.sum(y_pred, axis=0) ** -1`) or an error term (`|y_pred - y_true| ** -1`) "
        "reaches 0 as soon as the model predicts an empty class or fits a sample exactly. (Weights computed "
        "from the targets alone, such as inverse class frequencies, are not reported: no gradient flows "
        "through them and training cannot drive them to 0.)"
    )
    fix = "Add an epsilon to the base (`(K.sum(y_pred, axis=0) + K.epsilon()) ** -1`) or clip it away from 0."
    references = ("https://keras.io/api/losses/#creating-custom-losses",)
    invalid = (
        """\
from keras import backend as K

def predicted_area_penalty(y_true, y_pred):
    areas = K.sum(y_pred, axis=(0, 1, 2)) ** -1  # expect: KL404
    return K.mean(areas * K.sum(y_true, axis=(0, 1, 2)))
""",
        """\
import tensorflow as tf

def inverse_error(y_true, y_pred):
    return tf.reduce_mean(tf.math.pow(tf.abs(y_pred - y_true), -1.0))  # expect: KL404
""",
        """\
import tensorflow as tf

x = tf.compat.v1.placeholder(tf.float32, [None, 4])
y = tf.compat.v1.placeholder(tf.float32, [None, 1])
W = tf.Variable(tf.ones([4, 1]))
area = tf.reduce_sum(tf.nn.relu(tf.matmul(x, W)))
loss = tf.reduce_mean(y) * tf.pow(area, -1.0)  # expect: KL404
train_op = tf.compat.v1.train.GradientDescentOptimizer(0.1).minimize(loss)
""",
        """\
import tensorflow as tf

def train_step(model, optimizer, images, targets):
    with tf.GradientTape() as tape:
        pred = model(images, training=True)
        loss = tf.reduce_mean(tf.abs(pred - targets) ** -0.5)  # expect: KL404
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables))
""",
        """\
import keras
from keras import ops

class InverseAreaLoss(keras.losses.Loss):
    def call(self, y_true, y_pred):
        return ops.mean(ops.sum(y_true, axis=-1) * ops.power(ops.sum(y_pred, axis=-1), -1))  # expect: KL404
""",
    )
    valid = (
        """\
from keras import backend as K

def predicted_area_penalty(y_true, y_pred):
    areas = (K.sum(y_pred, axis=(0, 1, 2)) + K.epsilon()) ** -1
    return K.mean(areas * K.sum(y_true, axis=(0, 1, 2)))
""",
        """\
import tensorflow as tf

def inverse_error(y_true, y_pred):
    return tf.reduce_mean(tf.math.pow(tf.maximum(tf.abs(y_pred - y_true), 1e-3), -1.0))
""",
        """\
from keras import ops

def squared_error(y_true, y_pred):
    return ops.mean(ops.power(y_pred - y_true, 2))
""",
        """\
import tensorflow as tf

x = tf.compat.v1.placeholder(tf.float32, [None, 4])
y = tf.compat.v1.placeholder(tf.float32, [None, 1])
W = tf.Variable(tf.ones([4, 1]))
area = tf.reduce_sum(tf.nn.relu(tf.matmul(x, W)))
loss = tf.reduce_mean(y) * tf.pow(area + 1e-6, -1.0)
train_op = tf.compat.v1.train.GradientDescentOptimizer(0.1).minimize(loss)
""",
        """\
import tensorflow as tf

def train_step(model, optimizer, images, targets):
    with tf.GradientTape() as tape:
        pred = model(images, training=True)
        loss = tf.reduce_mean((tf.abs(pred - targets) + 1e-3) ** -0.5)
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables))
""",
        """\
import keras
from keras import ops

class InverseAreaLoss(keras.losses.Loss):
    def call(self, y_true, y_pred):
        return ops.mean(ops.sum(y_true, axis=-1) * ops.power(ops.sum(y_pred, axis=-1) + 1e-6, -1))
""",
    )

    def check(self, facts, options):
        for function in facts.custom_functions:
            for op in function.unguarded("power"):
                yield Finding(
                    op.span,
                    f"{op.text} in {op.function}: a negative power of {op.operand_text}, which nothing keeps away "
                    "from 0; at 0 it is inf and so is its gradient, so the loss turns inf/NaN; add an epsilon to "
                    f"the base ({op.operand_text} + K.epsilon()) or clip it",
                )
