from kerlint.diagnostic import Related, Severity
from kerlint.rule import Finding, Rule, head_or_loss

# What each activation does to a loss that reads the output as a probability in [0, 1].
REASONS = {
    "relu": "relu outputs are unbounded above and exactly 0 with zero gradient below 0: the loss rewards inflating "
            "outputs instead of fitting the targets (a Dice overlap 2*sum(y*p)/(sum(y)+sum(p)) tends to 2, not 1, as "
            "outputs grow; a log clipped at 1 is 0 for every class at once), and an output stuck at 0 never recovers",
    "linear": "a linear output is any real number: negative values make the overlap or the log meaningless or "
              "NaN, and values above 1 let the loss fall by inflating outputs instead of fitting the targets",
    "elu": "elu outputs are unbounded above and negative below 0: the prediction is no longer a fraction, and the "
           "loss can fall by inflating outputs",
    "selu": "selu outputs are unbounded above and negative below 0: the prediction is no longer a fraction, and the "
            "loss can fall by inflating outputs",
    "leaky_relu": "leaky_relu outputs are unbounded and can be negative: the prediction is no longer a fraction",
    "softplus": "softplus outputs are unbounded above: the loss rewards inflating outputs (an overlap grows past 1, a "
                "log clipped at 1 reaches 0 for every class at once)",
    "exponential": "exp outputs are unbounded above: the loss rewards inflating outputs (an overlap grows past 1, a "
                   "log clipped at 1 reaches 0 for every class at once)",
}


class UnboundedOutputWithProbabilityCustomLoss(Rule):
    code = "KL112"
    name = "unbounded-output-with-probability-custom-loss"
    tag = "activation-loss"
    severity = Severity.ERROR
    summary = "A custom loss reads the output as a probability (Dice/IoU overlap, log(1 - y_pred), log of y_pred clipped to [eps, 1]), but the output has no sigmoid/softmax."
    what_it_does = (
        "Finds models compiled with a custom loss that reads `y_pred` as a probability in [0, 1] — a Dice, "
        "Jaccard/IoU or Tversky overlap `sum(y_true * y_pred) / (...)`, the complement `log(1 - y_pred)`, or "
        "the log of the prediction clipped into [eps, 1] (a hand-written crossentropy, `log(clip(y_pred, 1e-7, "
        "1.0))`) (also inside the helper functions the loss calls) — while the output's effective activation is relu, "
        "linear, elu, softplus or another activation unbounded above. (A tanh output is left alone: losses "
        "written for it, such as `log(1 - p)` with `log(1 + p)`, shift it into range on purpose.) The same "
        "overlap in a loss differentiated outside compile() — the target of `tape.gradient`, the loss given to `minimize` in TF1 graph code — is judged on the activation "
        "of the tensor it reads: `tf.layers.conv2d(h, 1, 1, activation=tf.nn.relu)`, `Dense(1)(h)`."
    )
    why_bad = (
        "Overlap losses and crossentropies are only meaningful for outputs in [0, 1]. An unbounded output lets "
        "the loss fall by inflating predictions (Dice of outputs c on the true pixels tends to 2, not 1), a "
        "negative one makes the overlap or the log meaningless, and a relu output stuck at 0 has no gradient "
        "to recover: a U-Net with a relu output layer and a Dice loss predicts empty or saturated masks."
    )
    fix = "Use activation='sigmoid' on the output (binary masks) or 'softmax' (one class per pixel)."
    references = ("https://keras.io/api/losses/#creating-custom-losses",)
    invalid = (
        """\
import keras
from keras import backend as K

def dice_loss(y_true, y_pred):
    overlap = K.sum(y_true * y_pred)
    return 1.0 - (2.0 * overlap + 1.0) / (K.sum(y_true) + K.sum(y_pred) + 1.0)

inputs = keras.Input((128, 128, 1))
features = keras.layers.Conv2D(16, 3, padding="same", activation="relu")(inputs)
mask = keras.layers.Conv2D(1, 1, activation="relu")(features)  # expect: KL112
model = keras.Model(inputs, mask)
model.compile(optimizer="adam", loss=dice_loss)
""",
        """\
import tensorflow as tf

def soft_iou(y_true, y_pred):
    inter = tf.reduce_sum(y_true * y_pred)
    return inter / (tf.reduce_sum(y_true + y_pred) - inter + 1e-6)

def iou_loss(y_true, y_pred):
    return 1.0 - soft_iou(y_true, y_pred)

model = tf.keras.Sequential([tf.keras.layers.Dense(32, activation="relu"), tf.keras.layers.Dense(4)])  # expect: KL112
model.compile(optimizer="adam", loss=iou_loss)
""",
        """\
import keras
from keras import ops

def crossentropy(y_true, y_pred):
    y_pred = ops.clip(y_pred, 1e-7, 1.0)
    return -ops.mean(ops.sum(y_true * ops.log(y_pred), axis=-1))

model = keras.Sequential([keras.Input((64,)), keras.layers.Dense(10, activation="relu")])  # expect: KL112
model.compile(optimizer="adam", loss=crossentropy)
""",
        """\
import keras
from keras import ops

def dice_loss(y_true, y_pred):
    overlap = ops.sum(y_true * y_pred)
    return 1.0 - (2.0 * overlap + 1.0) / (ops.sum(y_true) + ops.sum(y_pred) + 1.0)

inputs = keras.Input((128, 128, 1))
features = keras.layers.Conv2D(16, 3, padding="same", activation="relu")(inputs)
mask = keras.layers.Conv2D(1, 1)(features)  # expect: KL112
model = keras.Model(inputs, mask)
model.compile(optimizer="adam", loss=dice_loss)
""",
        """\
import tensorflow as tf

images = tf.compat.v1.placeholder(tf.float32, [None, 64, 64, 1])
masks = tf.compat.v1.placeholder(tf.float32, [None, 64, 64, 1])
hidden = tf.compat.v1.layers.conv2d(images, 16, 3, padding="same", activation=tf.nn.relu)
pred = tf.compat.v1.layers.conv2d(hidden, 1, 1, activation=tf.nn.relu)  # expect: KL112
overlap = tf.reduce_sum(masks * pred)
dice = (2.0 * overlap + 1.0) / (tf.reduce_sum(masks) + tf.reduce_sum(pred) + 1.0)
train_op = tf.compat.v1.train.AdamOptimizer(1e-4).minimize(1.0 - dice)
""",
        """\
import tensorflow as tf

backbone = tf.keras.Sequential([tf.keras.layers.Conv2D(16, 3, padding="same", activation="relu")])
head = tf.keras.layers.Dense(1)  # expect: KL112

def train_step(images, masks, optimizer):
    with tf.GradientTape() as tape:
        pred = head(backbone(images))
        inter = tf.reduce_sum(masks * pred)
        loss = 1.0 - (inter + 1.0) / (tf.reduce_sum(masks + pred) - inter + 1.0)
    variables = backbone.trainable_variables + head.trainable_variables
    optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables))
""",
        """\
import keras
from keras import ops

class DiceLoss(keras.losses.Loss):
    def call(self, y_true, y_pred):
        inter = ops.sum(y_true * y_pred)
        return 1.0 - (2.0 * inter + 1.0) / (ops.sum(y_true) + ops.sum(y_pred) + 1.0)

model = keras.Sequential([keras.Input((64, 64, 3)), keras.layers.Conv2D(1, 1)])  # expect: KL112
model.compile(optimizer="adam", loss=DiceLoss())
""",
    )
    valid = (
        """\
import keras
from keras import backend as K

def dice_loss(y_true, y_pred):
    overlap = K.sum(y_true * y_pred)
    return 1.0 - (2.0 * overlap + 1.0) / (K.sum(y_true) + K.sum(y_pred) + 1.0)

inputs = keras.Input((128, 128, 1))
features = keras.layers.Conv2D(16, 3, padding="same", activation="relu")(inputs)
mask = keras.layers.Conv2D(1, 1, activation="sigmoid")(features)
model = keras.Model(inputs, mask)
model.compile(optimizer="adam", loss=dice_loss)
""",
        """\
import tensorflow as tf

def weighted_mse(y_true, y_pred):
    return tf.reduce_mean(tf.square(y_true - y_pred) * (1.0 + y_true))

model = tf.keras.Sequential([tf.keras.layers.Dense(32, activation="relu"), tf.keras.layers.Dense(1)])
model.compile(optimizer="adam", loss=weighted_mse)
""",
        """\
import keras
from keras import ops

def poisson_nll(y_true, y_pred):
    rate = ops.maximum(y_pred, 1e-7)
    return ops.mean(rate - y_true * ops.log(rate))

model = keras.Sequential([keras.Input((64,)), keras.layers.Dense(1, activation="softplus")])
model.compile(optimizer="adam", loss=poisson_nll)
""",
        """\
import keras
from keras import ops

def dice_loss(y_true, y_pred):
    overlap = ops.sum(y_true * y_pred)
    return 1.0 - (2.0 * overlap + 1.0) / (ops.sum(y_true) + ops.sum(y_pred) + 1.0)

inputs = keras.Input((128, 128, 1))
features = keras.layers.Conv2D(16, 3, padding="same", activation="relu")(inputs)
mask = keras.layers.Conv2D(1, 1, activation="sigmoid")(features)
model = keras.Model(inputs, mask)
model.compile(optimizer="adam", loss=dice_loss)
""",
        """\
import tensorflow as tf

images = tf.compat.v1.placeholder(tf.float32, [None, 64, 64, 1])
masks = tf.compat.v1.placeholder(tf.float32, [None, 64, 64, 1])
hidden = tf.compat.v1.layers.conv2d(images, 16, 3, padding="same", activation=tf.nn.relu)
pred = tf.compat.v1.layers.conv2d(hidden, 1, 1, activation=tf.nn.sigmoid)
overlap = tf.reduce_sum(masks * pred)
dice = (2.0 * overlap + 1.0) / (tf.reduce_sum(masks) + tf.reduce_sum(pred) + 1.0)
train_op = tf.compat.v1.train.AdamOptimizer(1e-4).minimize(1.0 - dice)
""",
        """\
import tensorflow as tf

backbone = tf.keras.Sequential([tf.keras.layers.Conv2D(16, 3, padding="same", activation="relu")])
head = tf.keras.layers.Dense(1, activation="sigmoid")

def train_step(images, masks, optimizer):
    with tf.GradientTape() as tape:
        pred = head(backbone(images))
        inter = tf.reduce_sum(masks * pred)
        loss = 1.0 - (inter + 1.0) / (tf.reduce_sum(masks + pred) - inter + 1.0)
    variables = backbone.trainable_variables + head.trainable_variables
    optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables))
""",
        """\
import keras
from keras import ops

class DiceLoss(keras.losses.Loss):
    def call(self, y_true, y_pred):
        inter = ops.sum(y_true * y_pred)
        return 1.0 - (2.0 * inter + 1.0) / (ops.sum(y_true) + ops.sum(y_pred) + 1.0)

model = keras.Sequential([keras.Input((64, 64, 3)), keras.layers.Conv2D(1, 1, activation="sigmoid")])
model.compile(optimizer="adam", loss=DiceLoss())
""",
    )

    def check(self, facts, options):
        by_name = {function.name: function for function in facts.custom_functions}
        for model, output, loss in facts.output_losses():
            activation = output.activation
            if loss.name != "custom" or activation.name not in REASONS:
                continue
            reading = _reading(by_name, loss.function)
            if reading is None:
                continue
            span, related = head_or_loss(model, activation.span, loss, f"{activation.name} output chosen here",
                                         f"loss {loss.text} set here")
            yield Finding(
                span,
                f"{activation.layer} feeds {loss.text}, which reads its output as a probability ({reading}): "
                f"{REASONS[activation.name]}",
                related=related,
            )
        reported = set()  # one finding per output, however many overlaps (train, test) read it
        for loss in facts.loss_calls:
            activation = loss.activation
            if loss.expects != "fraction" or activation.name not in REASONS or activation.span in reported:
                continue
            reported.add(activation.span)
            yield Finding(
                activation.span,
                f"{loss.prediction_text} comes out of {activation.layer}, and the differentiated loss reads it as a "
                f"probability ({loss.text}): {REASONS[activation.name]}",
                related=(Related(loss.span, "read as a probability here"),),
            )


def _reading(functions: dict, name: str | None, depth: int = 0) -> str | None:
    """How the loss `name` (or a helper it calls) reads the prediction as a probability."""
    function = functions.get(name) if name else None
    if function is None and name:  # a factory's inner function: `dice_loss.loss` for `loss=dice_loss(1.0)`
        function = next((f for key, f in functions.items() if key.startswith(f"{name}.")), None)
    if function is None or depth > 4:
        return None
    if function.probability_reading:
        return function.probability_reading
    for helper in function.helpers:
        found = _reading(functions, helper, depth + 1)
        if found:
            return found
    return None
