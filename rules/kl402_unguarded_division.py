from kerlint.diagnostic import Severity
from kerlint.rule import Finding, Rule

# The guard the numerics analysis gives `p / sum(p)`: safe for a probability output, whose entries are never
# all 0, but not for an output that can be 0 everywhere or sum to 0 across signs.
OWN_SUM_GUARD = "normalization by its own sum"
# Output activations whose entries are never all 0 (nor of mixed signs): their own sum is positive.
POSITIVE_OUTPUTS = frozenset({"softmax", "sigmoid", "softplus", "exponential"})


class UnguardedDivision(Rule):
    code = "KL402"
    name = "unguarded-division"
    tag = "loss-numerics"
    severity = Severity.WARNING
    summary = "A division inside a custom loss, metric or differentiated objective whose denominator, computed from the predictions or weights, can be 0."
    what_it_does = (
        "Finds `/`, `/=` and divide functions (`tf.math.divide`, `keras.ops.divide` / `true_divide`, "
        "`np.divide`, `tf.math.reciprocal`) inside custom losses and metrics whose denominator is computed "
        "from the prediction or from trainable weights and that nothing keeps away from 0 (no smoothing constant or epsilon added, no clip, "
        "no `maximum`). Denominators that are constants, counts (`len`, `K.shape`, `tf.size`, a cast of a "
        "shape), computed from the targets alone (a padding-mask count: its value is fixed by the data, not "
        "driven to 0 by training) or not derived from the inputs are fine, and so is `tf.math.divide_no_nan`."
        " Normalising the prediction by its own sum (`y_pred / K.sum(y_pred, axis=-1, keepdims=True)`) is fine "
        "for a softmax/sigmoid output, and reported when every model the loss is compiled with ends in an "
        "activation (relu, linear, tanh, ...) whose outputs can all be 0 or sum to 0."
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
        "Sums and means over the predictions are 0 more often than they look: an image whose predicted mask "
        "is empty, predictions that all collapsed to 0, a trainable scale that crossed 0. Then the ratio is x/0 = inf or "
        "0/0 = NaN, and one NaN loss poisons every weight on the next update. Dice, Jaccard/IoU, precision, "
        "recall and masked means all divide by such sums."
    )
    fix = (
        "Add a smoothing constant to numerator and denominator (`(2 * intersection + 1.0) / (union + 1.0)`, "
        "the standard for Dice/Jaccard), add `K.epsilon()` to the denominator, or use "
        "`tf.math.divide_no_nan` where 0/0 should count as 0."
    )
    references = (
        "https://www.tensorflow.org/api_docs/python/tf/math/divide_no_nan",
        "https://keras.io/api/losses/#creating-custom-losses",
    )
    invalid = (
        """\
from keras import backend as K

def dice_coef(y_true, y_pred):
    intersection = K.sum(y_true * y_pred)
    return 2.0 * intersection / (K.sum(y_true) + K.sum(y_pred))  # expect: KL402

def dice_loss(y_true, y_pred):
    return 1.0 - dice_coef(y_true, y_pred)
""",
        """\
import tensorflow as tf

def weighted_error(y_true, y_pred):
    weights = tf.nn.relu(y_pred)
    total = tf.reduce_sum(tf.abs(y_pred - y_true) * weights)
    return tf.math.divide(total, tf.reduce_sum(weights))  # expect: KL402
""",
        """\
import tensorflow as tf

def normalized_mse(y_true, y_pred):
    y_pred = y_pred / tf.reduce_sum(y_pred, axis=-1, keepdims=True)  # expect: KL402
    return tf.reduce_mean(tf.square(y_true - y_pred))

model = tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(3, activation="relu")])
model.compile(optimizer="adam", loss=normalized_mse)
""",
        """\
from keras import ops

def precision(y_true, y_pred):
    true_positives = ops.sum(ops.round(y_true * y_pred))
    return true_positives / ops.sum(ops.round(y_pred))  # expect: KL402
""",
        """\
import tensorflow as tf

x = tf.compat.v1.placeholder(tf.float32, [None, 8])
scale = tf.Variable(tf.random.uniform([1], 0.0, 4.0))
error = tf.reduce_mean(tf.square(x))
loss = error / scale  # expect: KL402
train_op = tf.compat.v1.train.AdamOptimizer(1e-3).minimize(loss)
""",
        """\
import tensorflow as tf

def train_step(model, optimizer, images, masks):
    with tf.GradientTape() as tape:
        pred = model(images, training=True)
        loss = 1.0 - 2.0 * tf.reduce_sum(masks * pred) / tf.reduce_sum(masks + pred)  # expect: KL402
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables))
""",
    )
    valid = (
        """\
from keras import backend as K

def dice_coef(y_true, y_pred, smooth=1.0):
    intersection = K.sum(y_true * y_pred)
    return (2.0 * intersection + smooth) / (K.sum(y_true) + K.sum(y_pred) + smooth)

def dice_loss(y_true, y_pred):
    return 1.0 - dice_coef(y_true, y_pred)
""",
        """\
import tensorflow as tf

def masked_mse(y_true, y_pred):
    mask = tf.cast(y_true > 0, tf.float32)
    total = tf.reduce_sum(tf.square(y_pred - y_true) * mask)
    return tf.math.divide_no_nan(total, tf.reduce_sum(mask))
""",
        """\
from keras import ops

def recall(y_true, y_pred):
    true_positives = ops.sum(ops.round(y_true * y_pred))
    return true_positives / (ops.sum(y_true) + 1e-7)
""",
        """\
import tensorflow as tf

def normalized_mse(y_true, y_pred):
    y_pred = y_pred / tf.reduce_sum(y_pred, axis=-1, keepdims=True)
    return tf.reduce_mean(tf.square(y_true - y_pred))

model = tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(3, activation="softmax")])
model.compile(optimizer="adam", loss=normalized_mse)
""",
        """\
import tensorflow as tf

def mean_squared(y_true, y_pred):
    n = tf.cast(tf.shape(y_true)[0], tf.float32)
    return tf.reduce_sum(tf.square(y_pred - y_true)) / n
""",
        """\
import tensorflow as tf

def train_step(model, optimizer, images, masks):
    with tf.GradientTape() as tape:
        pred = model(images, training=True)
        loss = 1.0 - (2.0 * tf.reduce_sum(masks * pred) + 1.0) / (tf.reduce_sum(masks + pred) + 1.0)
        loss += tf.reduce_sum(pred) / tf.reduce_sum(tf.ones_like(masks))
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables))
""",
        """\
import tensorflow as tf

x = tf.compat.v1.placeholder(tf.float32, [None, 4])
W = tf.Variable(tf.zeros([4, 1]))
b = tf.Variable(tf.zeros([1]))
error = tf.reduce_mean(tf.square(tf.matmul(x, W) + b))
n = tf.cast(tf.shape(x)[0], tf.float32)
loss = error / n
train_op = tf.compat.v1.train.AdamOptimizer(1e-3).minimize(loss)
""",
    )

    def check(self, facts, options):
        heads = self._heads_of_losses(facts)
        for function in facts.custom_functions:
            own_sums = [op for op in function.numeric_ops if op.kind == "divide" and op.depends_on_prediction
                        and op.guard == OWN_SUM_GUARD]
            zero_sum_head = heads.get(function.name)
            if own_sums and zero_sum_head is not None:
                for op in own_sums:
                    yield Finding(
                        op.span,
                        f"{op.text} in {op.function} normalises the prediction by its own sum, but the output "
                        f"{zero_sum_head.layer} is not a probability: its {zero_sum_head.name} outputs can all be 0 "
                        "(or cancel across signs), giving 0/0 = NaN; use a softmax output, or add K.epsilon() to "
                        "the sum",
                    )
            for op in function.unguarded("divide"):
                yield Finding(
                    op.span,
                    f"{op.text} in {op.function}: the denominator {op.operand_text} is computed from the "
                    "predictions (or trainable weights) and nothing keeps it away from 0 (an empty predicted mask or "
                    "all-zero predictions give x/0 = inf or 0/0 = NaN); add a smoothing constant (+ 1.0 for Dice/Jaccard, + K.epsilon() otherwise) or "
                    "use tf.math.divide_no_nan",
                )

    @staticmethod
    def _heads_of_losses(facts):
        """Custom loss (and its helpers) -> the output activation it trains, when every output it is compiled
        against can sum to 0; a loss also compiled against a probability output is left out."""
        by_function = {}
        for _model, output, loss in facts.output_losses():
            if loss.name == "custom" and loss.function:
                by_function.setdefault(loss.function, []).append(output.activation)
        helpers = {f.name: f.helpers for f in facts.custom_functions}
        heads = {}
        for name, activations in by_function.items():
            if any(a.name is None or a.name in POSITIVE_OUTPUTS for a in activations):
                continue
            for function in [name, *helpers.get(name, [])]:
                heads.setdefault(function, activations[0])
        return heads
