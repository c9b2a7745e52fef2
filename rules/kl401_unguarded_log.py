import re

from kerlint.diagnostic import Severity
from kerlint.rule import Finding, Rule

# `1-y_pred`, `1 + y_pred`, `y_pred`: the input value that makes the operand 0.
_SHIFTED = re.compile(r"^\(?\s*(?P<c>\d+\.?\d*|\.\d+)\s*(?P<op>[-+])\s*(?P<var>[A-Za-z_][\w.]*)\s*\)?$")
_BARE = re.compile(r"^[A-Za-z_][\w.]*$")


def zero_point(operand: str) -> tuple[str, str] | None:
    """(variable, value) at which `operand` is 0, when the operand is that simple."""
    shifted = _SHIFTED.match(operand)
    if shifted:
        value = float(shifted["c"])
        return shifted["var"], f"{value if shifted['op'] == '-' else -value:g}"
    if _BARE.match(operand):
        return operand, "0"
    return None


class UnguardedLog(Rule):
    code = "KL401"
    name = "unguarded-log"
    tag = "loss-numerics"
    severity = Severity.WARNING
    fixable = "unsafe"  # floor the log's argument: it changes the loss
    summary = "A log inside a custom loss, metric or differentiated objective whose argument, computed from the predictions, can reach 0."
    what_it_does = (
        "Finds `log` calls (`K.log`, `keras.ops.log`, `tf.math.log` / `tf.log`, `np.log`, `math.log`, and the "
        "log2 / log10 variants) inside custom losses and metrics whose argument is computed from y_true or "
        "y_pred and that nothing keeps above 0: no clip with a positive lower bound, no `maximum(x, eps)`, no "
        "epsilon added (a small constant, a named one, `K.epsilon()`, `np.finfo(...).eps`, a trailing `+ 1` "
        "smoothing), no strictly positive function (softplus, exp). A softmax "
        "or sigmoid output is not kept above 0: it is exactly 0 in float32 once a logit falls ~100 below the others, "
        "and the finding then names the stable `*_with_logits` op; `clip_by_value(p, eps, 1)` before the log is "
        "the safe idiom. A leading constant, as in "
        "`1 - y_pred` or `1 + y_pred`, shifts the prediction and guards nothing. Local names are followed to their latest "
        "assignment, so `y_pred = K.clip(y_pred, K.epsilon(), 1 - K.epsilon())` guards both `K.log(y_pred)` "
        "and `K.log(1 - y_pred)` after it."
        " Losses are found wherever they are differentiated: `compile(loss=...)` functions, `Loss` subclasses, "
        "`add_loss(...)`, the target of `tape.gradient(...)`, `optimizer.minimize(...)` (Keras, `tf.train`, "
        "`tf.compat.v1.train`), `compute_gradients`, `tf.gradients`, `loss.backward()` (Keras 3 on torch) and "
        "`compute_loss` overrides, and the function a "
        "`layers.Lambda` wraps in a module that trains a model, with the names,"
        " helpers, indexing and reductions they are built from (TF1 graph code included). Only values that carry "
        "a gradient count: computed from the prediction (a model or layer call, `tf.layers.dense`, `tf.matmul(x, "
        "W) + b` with `tf.Variable` weights) or from trainable weights, not from the targets or placeholders "
        "alone."
    )
    why_bad = (
        "Network outputs do reach the ends of their range: a sigmoid saturates to exactly 0.0 or 1.0 in "
        "float32 once its input passes about ±17, a tanh output reaches ±1, a relu output is 0. Then "
        "log(0) = -inf, the loss becomes inf or NaN and the gradient 1/x is infinite, which turns every "
        "weight into NaN on the next update. Seed 004's answer writes "
        "`K.log(1-y_pred)` and `K.log(1+y_pred)` for a tanh output: either log is -inf as soon as one "
        "pixel saturates."
    )
    fix = (
        "Clip the prediction first (`y_pred = K.clip(y_pred, K.epsilon(), 1 - K.epsilon())`; for a tanh "
        "output `-1 + K.epsilon(), 1 - K.epsilon()`), or add an epsilon inside the log "
        "(`K.log(y_pred + K.epsilon())`). Better still, use the built-in loss, which clips for you."
    )
    references = (
        "https://keras.io/api/losses/#creating-custom-losses",
        "https://www.tensorflow.org/api_docs/python/tf/clip_by_value",
        "Stack Overflow seed 004 (answer): a modified binary crossentropy for tanh outputs",
    )
    invalid = (
        """\
from keras import backend as K

def bce_modified(y_true, y_pred):
    return -0.5 * K.mean((1 - y_true) * K.log(1 - y_pred) + (1 + y_true) * K.log(1 + y_pred))  # expect: KL401, KL401

model.compile(optimizer="adam", loss=bce_modified)
""",
        """\
import tensorflow as tf

def weighted_bce(y_true, y_pred):
    log_p = tf.math.log(y_pred)  # expect: KL401
    log_q = tf.math.log(1.0 - y_pred)  # expect: KL401
    return -tf.reduce_mean(2.0 * y_true * log_p + (1.0 - y_true) * log_q)
""",
        """\
from keras import ops

def poisson_nll(y_true, y_pred):
    return ops.mean(y_pred - y_true * ops.log(y_pred))  # expect: KL401
""",
        """\
import tensorflow as tf

x = tf.compat.v1.placeholder(tf.float32, [None, 784])
labels = tf.compat.v1.placeholder(tf.float32, [None, 10])
W = tf.Variable(tf.zeros([784, 10]))
b = tf.Variable(tf.zeros([10]))
probs = tf.nn.softmax(tf.matmul(x, W) + b)
cost = -tf.reduce_sum(labels * tf.math.log(probs))  # expect: KL401
train_op = tf.compat.v1.train.GradientDescentOptimizer(0.5).minimize(cost)
""",
        """\
import tensorflow as tf

def train_step(model, optimizer, images, labels):
    with tf.GradientTape() as tape:
        scores = model(images, training=True)
        loss = -tf.reduce_mean(labels * tf.math.log(scores))  # expect: KL401
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables))
""",
        """\
import keras
from keras import ops

class Detector(keras.Model):
    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None):
        return -ops.mean(y * ops.log(y_pred) + (1 - y) * ops.log(1 - y_pred))  # expect: KL401, KL401
""",
        """\
import os
os.environ["KERAS_BACKEND"] = "torch"
import keras

class Classifier(keras.Model):
    def train_step(self, data):
        x, y = data
        self.zero_grad()
        y_pred = self(x, training=True)
        loss = -keras.ops.mean(keras.ops.sum(y * keras.ops.log(y_pred), axis=-1))  # expect: KL401
        loss.backward()
        return {"loss": loss}

inputs = keras.Input((32,))
model = Classifier(inputs, keras.layers.Dense(5, activation="softmax")(inputs))
""",
    )
    valid = (
        """\
from keras import backend as K

def bce_modified(y_true, y_pred):
    y_pred = K.clip(y_pred, -1 + K.epsilon(), 1 - K.epsilon())
    return -0.5 * K.mean((1 - y_true) * K.log(1 - y_pred) + (1 + y_true) * K.log(1 + y_pred))

model.compile(optimizer="adam", loss=bce_modified)
""",
        """\
import tensorflow as tf

def weighted_bce(y_true, y_pred):
    eps = 1e-7
    log_p = tf.math.log(y_pred + eps)
    log_q = tf.math.log(tf.maximum(1.0 - y_pred, eps))
    return -tf.reduce_mean(2.0 * y_true * log_p + (1.0 - y_true) * log_q)
""",
        """\
from keras import ops

def poisson_nll(y_true, y_pred):
    return ops.mean(y_pred - y_true * ops.log(y_pred + 1e-7))
""",
        """\
import keras

model.compile(optimizer="adam", loss=keras.losses.BinaryCrossentropy())
""",
        """\
from keras import backend as K

def logistic(y_true, logits):
    return K.mean(K.log(1.0 + K.exp(-K.abs(logits))) + K.relu(logits) - y_true * logits)
""",
        """\
import tensorflow as tf

x = tf.compat.v1.placeholder(tf.float32, [None, 784])
labels = tf.compat.v1.placeholder(tf.float32, [None, 10])
W = tf.Variable(tf.zeros([784, 10]))
b = tf.Variable(tf.zeros([10]))
logits = tf.matmul(x, W) + b
cost = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=labels, logits=logits))
train_op = tf.compat.v1.train.GradientDescentOptimizer(0.5).minimize(cost)
""",
        """\
import tensorflow as tf

def train_step(model, optimizer, images, labels):
    with tf.GradientTape() as tape:
        scores = model(images, training=True)
        loss = -tf.reduce_mean(labels * tf.math.log(tf.clip_by_value(scores, 1e-7, 1.0)))
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables))
""",
        """\
import keras
from keras import ops

class Detector(keras.Model):
    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None):
        p = ops.clip(y_pred, 1e-7, 1 - 1e-7)
        return -ops.mean(y * ops.log(p) + (1 - y) * ops.log(1 - p))
""",
        """\
import os
os.environ["KERAS_BACKEND"] = "torch"
import keras

class Classifier(keras.Model):
    def train_step(self, data):
        x, y = data
        self.zero_grad()
        y_pred = self(x, training=True)
        p = keras.ops.clip(y_pred, 1e-7, 1.0)
        loss = -keras.ops.mean(keras.ops.sum(y * keras.ops.log(p), axis=-1))
        loss.backward()
        return {"loss": loss}

inputs = keras.Input((32,))
model = Classifier(inputs, keras.layers.Dense(5, activation="softmax")(inputs))
""",
    )

    def check(self, facts, options):
        for function in facts.custom_functions:
            for op in function.unguarded("log"):
                autofix = self._floor(facts, op)
                if op.squashed is not None:
                    yield Finding(op.span, self._squashed_message(op), fix=self._squashed_fix(op), autofix=autofix)
                else:
                    yield Finding(op.span, self._message(op), autofix=autofix)

    @staticmethod
    def _floor(facts, op):
        if facts.source is None:  # no fix wanted (LintSettings.fixes)
            return None
        from kerlint.call_edits import floor_log_argument  # loaded only where fixes are wanted

        return floor_log_argument(facts.source, op.span)

    @staticmethod
    def _squashed_message(op) -> str:
        when = ("a logit falls ~100 below the largest" if op.squashed == "softmax"
                else "its input falls below about -100")
        return (
            f"{op.text} in {op.function}: {op.operand_text} comes out of {op.squashed_text}, which is exactly 0 in "
            f"float32 once {when}: log(0) = -inf and the gradients turn NaN; compute the loss from the logits"
        )

    @staticmethod
    def _squashed_fix(op) -> str:
        stable = ("tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=logits) (or tf.nn.log_softmax, or a Keras "
                  "crossentropy with from_logits=True)" if op.squashed == "softmax" else
                  "tf.nn.sigmoid_cross_entropy_with_logits(labels=y, logits=logits) (or tf.math.log_sigmoid, or "
                  "binary_crossentropy with from_logits=True)")
        return (f"Pass the logits (the input of the {op.squashed}) to {stable}: it computes the same value stably. "
                "Clipping the probabilities first (tf.clip_by_value(p, 1e-7, 1.0)) also keeps the log finite.")

    @staticmethod
    def _message(op) -> str:
        zero = zero_point(op.operand_text)
        if zero is not None:
            variable, value = zero
            example, target = f"{variable} = {value}", variable
        else:
            example, target = f"{op.operand_text} = 0", "the argument"
        return (
            f"{op.text} in {op.function}: nothing keeps {op.operand_text} above 0 ({example} gives log(0) = -inf, "
            f"NaN gradients); clip {target} or add an epsilon inside the log"
        )
