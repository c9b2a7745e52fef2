from kerlint.diagnostic import Severity
from kerlint.rule import Finding, Rule

STABLE_FORMS = {
    "softplus": ("log(1 + exp(x))", "softplus({x}) (K.softplus / keras.ops.softplus / tf.math.softplus)"),
    "logsumexp": ("log(sum(exp(x)))", "logsumexp({x}) (keras.ops.logsumexp / tf.math.reduce_logsumexp)"),
    "softmax": ("a softmax written by hand, exp(x) / sum(exp(x))",
                "softmax({x}) (tf.nn.softmax / keras.ops.softmax; log_softmax or a *_with_logits loss where a log follows)"),
}


class UnguardedExp(Rule):
    code = "KL405"
    name = "unguarded-exp"
    tag = "loss-numerics"
    severity = Severity.WARNING
    summary = "An exp inside a custom loss, metric or differentiated objective of a prediction-derived value that nothing bounds from above."
    what_it_does = (
        "Finds `exp` / `expm1` calls (`K.exp`, `keras.ops.exp`, `tf.math.exp`, `np.exp`) inside custom losses "
        "and metrics whose argument is computed from y_true or y_pred with no clip or minimum bounding it "
        "from above. Arguments that are evidently at most 0 (`-K.abs(x)`, `-K.square(x)`, "
        "`x - K.max(x, axis=-1, keepdims=True)`) or bounded (sigmoid, tanh) are fine. `log(1 + exp(x))` and "
        "`log(sum(exp(x)))` and a softmax written by hand, `exp(x) / sum(exp(x))`, are reported once, at the exp, "
        "with their stable replacement. Outside a loss function (a `tape.gradient` target, `add_loss`, TF1 "
        "graph code and the helpers they call), only those idioms are reported, and an exp of a column of the model's "
        "output (`exp(out[:, 1])`, a log-scale read straight from the prediction): a lone `exp(z_log_var)` of "
        "an encoder output there is a parameterization (a VAE's variance) that training keeps small."
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
        "exp overflows float32 to inf for arguments above about 88.7. Logits and log-variances are "
        "unbounded, so a few large outputs make the loss inf and the gradients NaN, usually late in "
        "training when the model grows confident. `log(1 + exp(x))` is inf for large x although its true "
        "value is simply x."
    )
    fix = (
        "Use the stable built-in form: softplus for log(1 + exp(x)), logsumexp for log(sum(exp(x))), "
        "log_softmax / a crossentropy with `from_logits=True` for softmax-then-log. Otherwise bound the "
        "argument: `K.exp(K.minimum(x, 50.0))`, or subtract the maximum first."
    )
    references = (
        "https://www.tensorflow.org/api_docs/python/tf/math/softplus",
        "https://www.tensorflow.org/api_docs/python/tf/math/reduce_logsumexp",
        "https://keras.io/api/ops/nn/#logsoftmax-function",
    )
    invalid = (
        """\
from keras import backend as K

def logistic_loss(y_true, y_pred):
    return K.mean(K.log(1.0 + K.exp(-y_true * y_pred)))  # expect: KL405
""",
        """\
import tensorflow as tf

def heteroscedastic(y_true, y_pred):
    mean, log_var = y_pred[..., 0], y_pred[..., 1]
    precision = tf.math.exp(-log_var)  # expect: KL405
    return tf.reduce_mean(0.5 * precision * tf.square(y_true[..., 0] - mean) + 0.5 * log_var)
""",
        """\
from keras import ops

def softmax_crossentropy(y_true, logits):
    e = ops.exp(logits)  # expect: KL405
    return -ops.mean(ops.sum(y_true * ops.log(e / ops.sum(e, axis=-1, keepdims=True)), axis=-1))
""",
        """\
import tensorflow as tf

x = tf.compat.v1.placeholder(tf.float32, [None, 4])
W = tf.Variable(tf.zeros([4, 3]))
logits = tf.matmul(x, W)
probs = tf.exp(logits) / tf.reduce_sum(tf.exp(logits), axis=1, keepdims=True)  # expect: KL405, KL405
loss = -tf.reduce_mean(tf.math.log(probs + 1e-7))
train_op = tf.compat.v1.train.AdamOptimizer().minimize(loss)
""",
        """\
import tensorflow as tf

def train_step(model, optimizer, features, targets):
    with tf.GradientTape() as tape:
        out = model(features, training=True)
        mean, log_var = out[:, 0], out[:, 1]
        loss = tf.reduce_mean(0.5 * tf.exp(-log_var) * tf.square(targets - mean) + 0.5 * log_var)  # expect: KL405
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables))
""",
    )
    valid = (
        """\
from keras import backend as K

def logistic_loss(y_true, y_pred):
    return K.mean(K.softplus(-y_true * y_pred))
""",
        """\
import tensorflow as tf

def heteroscedastic(y_true, y_pred):
    mean, log_var = y_pred[..., 0], y_pred[..., 1]
    precision = tf.math.exp(-tf.clip_by_value(log_var, -20.0, 20.0))
    return tf.reduce_mean(0.5 * precision * tf.square(y_true[..., 0] - mean) + 0.5 * log_var)
""",
        """\
from keras import ops

def softmax_crossentropy(y_true, logits):
    shifted = logits - ops.max(logits, axis=-1, keepdims=True)
    e = ops.exp(shifted)
    return -ops.mean(ops.sum(y_true * ops.log(e / ops.sum(e, axis=-1, keepdims=True)), axis=-1))
""",
        """\
from keras import backend as K

def gaussian_similarity(y_true, y_pred):
    return 1.0 - K.mean(K.exp(-K.square(y_pred - y_true)))
""",
        """\
import tensorflow as tf

x = tf.compat.v1.placeholder(tf.float32, [None, 4])
W = tf.Variable(tf.zeros([4, 3]))
logits = tf.matmul(x, W)
log_probs = tf.nn.log_softmax(logits)
loss = -tf.reduce_mean(log_probs)
train_op = tf.compat.v1.train.AdamOptimizer().minimize(loss)
""",
        """\
import tensorflow as tf

def train_step(model, optimizer, features, targets):
    with tf.GradientTape() as tape:
        out = model(features, training=True)
        mean, log_var = out[:, 0], tf.clip_by_value(out[:, 1], -10.0, 10.0)
        loss = tf.reduce_mean(0.5 * tf.exp(-log_var) * tf.square(targets - mean) + 0.5 * log_var)
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables))
""",
    )

    def check(self, facts, options):
        for function in facts.custom_functions:
            for op in function.unguarded("exp"):
                yield Finding(op.span, self._message(op))

    @staticmethod
    def _message(op) -> str:
        if op.idiom == "softmax":
            pattern, replacement = STABLE_FORMS[op.idiom]
            return (
                f"{op.text} in {op.function} is part of {pattern}: the exps overflow float32 to inf once "
                f"{op.operand_text} exceeds ~88.7 (their sum sooner), and all underflow to 0 when it is very "
                f"negative, giving inf/inf or 0/0 = NaN; write {replacement.format(x=op.operand_text)} instead, "
                "or subtract the max first (exp(x - max(x)))"
            )
        if op.idiom in STABLE_FORMS:
            pattern, replacement = STABLE_FORMS[op.idiom]
            return (
                f"{op.text} in {op.function} is part of {pattern}: exp overflows float32 to inf once "
                f"{op.operand_text} exceeds ~88.7, giving inf losses and NaN gradients; write "
                f"{replacement.format(x=op.operand_text)} instead, which computes the same value stably"
            )
        return (
            f"{op.text} in {op.function}: nothing bounds {op.operand_text} from above, and exp overflows float32 "
            "to inf above ~88.7 (inf loss, NaN gradients); clip the argument (e.g. K.minimum(x, 50.0)) or use a "
            "stable form (softplus, logsumexp, log_softmax)"
        )
