from kerlint.diagnostic import Severity
from kerlint.rule import Finding, Rule


class UnguardedSqrt(Rule):
    code = "KL403"
    name = "unguarded-sqrt"
    tag = "loss-numerics"
    severity = Severity.WARNING
    summary = "A sqrt inside a custom loss, metric or differentiated objective whose argument, computed from the predictions, can be 0."
    what_it_does = (
        "Finds `sqrt` / `rsqrt` calls (`K.sqrt`, `keras.ops.sqrt`, `tf.math.sqrt`; NumPy computes no gradients, so "
        "`np.sqrt` is left alone), Euclidean norms of a difference (`tf.norm(a - p)`, a distance training drives "
        "to 0) and fractional "
        "powers such as `x ** 0.5` or `K.pow(x, 0.5)` inside custom losses and metrics whose argument is "
        "computed from y_true or y_pred with no epsilon added and no clip or `maximum` keeping it above 0."
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
        "sqrt is finite at 0 but its gradient 1 / (2 sqrt(x)) is not: the moment the argument is exactly 0 "
        "(a perfect prediction in an RMSE loss, two identical embeddings in a distance) back-propagation "
        "multiplies inf by 0 and the weights become NaN. rsqrt(0) is inf outright. The classic RMSE loss "
        "`K.sqrt(K.mean(K.square(y_pred - y_true)))` fails exactly when the model is doing well."
    )
    fix = (
        "Add an epsilon inside the root: `K.sqrt(K.mean(K.square(y_pred - y_true)) + K.epsilon())`, or clip "
        "the argument with `K.maximum(x, K.epsilon())`."
    )
    references = (
        "https://keras.io/api/metrics/regression_metrics/#rootmeansquarederror-class",
        "https://www.tensorflow.org/api_docs/python/tf/math/sqrt",
    )
    invalid = (
        """\
from keras import backend as K

def rmse(y_true, y_pred):
    return K.sqrt(K.mean(K.square(y_pred - y_true), axis=-1))  # expect: KL403

model.compile(optimizer="adam", loss=rmse)
""",
        """\
import tensorflow as tf

def contrastive(y_true, y_pred):
    distance = tf.math.sqrt(tf.reduce_sum(tf.square(y_pred), axis=-1))  # expect: KL403
    return tf.reduce_mean(y_true * tf.square(distance) + (1 - y_true) * tf.square(tf.maximum(1.0 - distance, 0.0)))
""",
        """\
from keras import ops

def root_error(y_true, y_pred):
    return ops.mean(ops.abs(y_pred - y_true) ** 0.5)  # expect: KL403
""",
        """\
import tensorflow as tf

x = tf.compat.v1.placeholder(tf.float32, [None, 8])
y = tf.compat.v1.placeholder(tf.float32, [None, 1])
W = tf.Variable(tf.zeros([8, 1]))
pred = tf.matmul(x, W)
rmse = tf.sqrt(tf.reduce_mean(tf.square(pred - y)))  # expect: KL403
train_op = tf.compat.v1.train.AdamOptimizer(1e-3).minimize(rmse)
""",
        """\
import tensorflow as tf

def train_step(encoder, optimizer, anchors, positives):
    with tf.GradientTape() as tape:
        a, p = encoder(anchors, training=True), encoder(positives, training=True)
        distance = tf.sqrt(tf.reduce_sum(tf.square(a - p), axis=-1))  # expect: KL403
        loss = tf.reduce_mean(distance)
    grads = tape.gradient(loss, encoder.trainable_variables)
    optimizer.apply_gradients(zip(grads, encoder.trainable_variables))
""",
        """\
import tensorflow as tf

embedder = tf.keras.Sequential([tf.keras.layers.Dense(64)])

def step(anchor, positive, negative, optimizer):
    with tf.GradientTape() as tape:
        a, p, n = embedder(anchor), embedder(positive), embedder(negative)
        d_ap = tf.norm(a - p, axis=-1)  # expect: KL403
        d_an = tf.norm(a - n, axis=-1)  # expect: KL403
        loss = tf.reduce_mean(tf.maximum(d_ap - d_an + 0.2, 0.0))
    grads = tape.gradient(loss, embedder.trainable_variables)
    optimizer.apply_gradients(zip(grads, embedder.trainable_variables))
""",
    )
    valid = (
        """\
from keras import backend as K

def rmse(y_true, y_pred):
    return K.sqrt(K.mean(K.square(y_pred - y_true), axis=-1) + K.epsilon())

model.compile(optimizer="adam", loss=rmse)
""",
        """\
import tensorflow as tf

def contrastive(y_true, y_pred):
    distance = tf.math.sqrt(tf.maximum(tf.reduce_sum(tf.square(y_pred), axis=-1), 1e-7))
    return tf.reduce_mean(y_true * tf.square(distance) + (1 - y_true) * tf.square(tf.maximum(1.0 - distance, 0.0)))
""",
        """\
from keras import ops

def root_error(y_true, y_pred):
    return ops.mean((ops.abs(y_pred - y_true) + 1e-6) ** 0.5)
""",
        """\
import keras

model.compile(optimizer="adam", loss="mse", metrics=[keras.metrics.RootMeanSquaredError()])
""",
        """\
import tensorflow as tf

x = tf.compat.v1.placeholder(tf.float32, [None, 8])
y = tf.compat.v1.placeholder(tf.float32, [None, 1])
W = tf.Variable(tf.zeros([8, 1]))
pred = tf.matmul(x, W)
rmse = tf.sqrt(tf.reduce_mean(tf.square(pred - y)) + 1e-7)
train_op = tf.compat.v1.train.AdamOptimizer(1e-3).minimize(rmse)
""",
        """\
import tensorflow as tf

def train_step(encoder, optimizer, anchors, positives):
    with tf.GradientTape() as tape:
        a, p = encoder(anchors, training=True), encoder(positives, training=True)
        distance = tf.sqrt(tf.maximum(tf.reduce_sum(tf.square(a - p), axis=-1), 1e-7))
        loss = tf.reduce_mean(distance)
    grads = tape.gradient(loss, encoder.trainable_variables)
    optimizer.apply_gradients(zip(grads, encoder.trainable_variables))
""",
        """\
import tensorflow as tf

embedder = tf.keras.Sequential([tf.keras.layers.Dense(64)])

def step(anchor, positive, negative, optimizer):
    with tf.GradientTape() as tape:
        a, p, n = embedder(anchor), embedder(positive), embedder(negative)
        d_ap = tf.reduce_sum(tf.square(a - p), axis=-1)
        d_an = tf.reduce_sum(tf.square(a - n), axis=-1)
        loss = tf.reduce_mean(tf.maximum(d_ap - d_an + 0.2, 0.0))
    grads = tape.gradient(loss, embedder.trainable_variables)
    optimizer.apply_gradients(zip(grads, embedder.trainable_variables))
""",
    )

    def check(self, facts, options):
        for function in facts.custom_functions:
            for op in function.unguarded("sqrt"):
                yield Finding(
                    op.span,
                    f"{op.text} in {op.function}: nothing keeps {op.operand_text} above 0, and at 0 the root's "
                    "gradient is infinite (1/(2*sqrt(x))), so an exact prediction gives NaN gradients; add an "
                    f"epsilon inside: sqrt({op.operand_text} + K.epsilon())",
                )
