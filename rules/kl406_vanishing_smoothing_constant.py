import struct

from kerlint.diagnostic import Severity
from kerlint.rule import Finding, Option, Rule

FLOAT32_DIGITS = 2.0**24  # x + c == x in float32 once |x| > c * 2**24


def float32(value: float) -> float:
    return struct.unpack("f", struct.pack("f", value))[0]


class VanishingSmoothingConstant(Rule):
    code = "KL406"
    name = "vanishing-smoothing-constant"
    tag = "loss-numerics"
    severity = Severity.WARNING
    summary = "A smoothing constant or epsilon in a custom loss or metric is too small to matter in float32."
    what_it_does = (
        "Finds the positive constants that keep a ratio, log or sqrt finite inside custom losses and metrics "
        "and are below `min-value`: a smoothing constant or epsilon added (`smooth = 1e-12` in "
        "`(intersection + smooth) / (union + smooth)`, `K.log(y_pred + 1e-10)`), the floor of a clip or "
        "maximum (`K.clip(y_pred, 1e-9, 1.)`), and the eps of a clip's `1 - eps` ceiling once it rounds to 1.0 "
        "in float32. It reports the line that defines the constant (the assignment, the parameter default, the "
        "argument a factory or Loss class is called with, or the literal), once per constant and per clip."
    )
    why_bad = (
        "float32 keeps about 7 significant digits: x + 1e-12 == x for any |x| above ~1e-5, so such a constant "
        "changes nothing except when the guarded value is exactly 0, and there it makes the ratio's gradient "
        "about 1/smooth = 1e12. A single empty mask then produces a gigantic update that throws the weights "
        "away; with SGD + momentum the loss jumps and plateaus at 1.0 (seed 000's Jaccard loss, smooth=1e-12). "
        "In a clip, `1 - 1e-15` rounds to exactly 1.0 in float32, so the upper bound guards nothing."
    )
    fix = (
        "Use smooth=1.0 for Dice/Jaccard-style ratios (the standard choice, which also keeps gradients "
        "bounded for empty masks), or at least K.epsilon() (1e-7) for logs, clips and denominators."
    )
    references = (
        "https://keras.io/api/utils/config_utils/#epsilon-function",
        "Stack Overflow seed 000/001: how can my loss suddenly increase while training a CNN for image segmentation",
    )
    options = {"min-value": Option(1e-7, "smallest smoothing constant / epsilon not reported")}
    invalid = (
        """\
from keras import backend as K

def jaccard_coef_loss(y_true, y_pred):
    smooth = 1e-12  # expect: KL406
    intersection = K.sum(y_true * y_pred, axis=[0, -1, -2])
    sum_ = K.sum(y_true + y_pred, axis=[0, -1, -2])
    jac = (intersection + smooth) / (sum_ - intersection + smooth)
    return 1 - K.mean(jac)
""",
        """\
import tensorflow as tf

def bce(y_true, y_pred, eps=1e-15):  # expect: KL406
    y_pred = tf.clip_by_value(y_pred, eps, 1.0 - eps)
    return -tf.reduce_mean(y_true * tf.math.log(y_pred) + (1.0 - y_true) * tf.math.log(1.0 - y_pred))
""",
        """\
from keras import ops

def iou(y_true, y_pred):
    intersection = ops.sum(y_true * y_pred)
    union = ops.sum(y_true) + ops.sum(y_pred) - intersection
    return intersection / (union + 1e-10)  # expect: KL406
""",
        """\
import tensorflow as tf

images = tf.compat.v1.placeholder(tf.float32, [None, 64, 64, 1])
masks = tf.compat.v1.placeholder(tf.float32, [None, 64, 64, 1])
probs = tf.compat.v1.layers.conv2d(images, 1, 3, padding="same", activation=tf.nn.sigmoid)
smooth = 1e-12  # expect: KL406
overlap = tf.reduce_sum(masks * probs)
dice = (2.0 * overlap + smooth) / (tf.reduce_sum(masks) + tf.reduce_sum(probs) + smooth)
train_op = tf.compat.v1.train.AdamOptimizer(1e-4).minimize(1.0 - dice)
""",
        """\
import tensorflow as tf

def train_step(model, optimizer, images, masks):
    with tf.GradientTape() as tape:
        pred = model(images, training=True)
        inter = tf.reduce_sum(masks * pred)
        iou = inter / (tf.reduce_sum(masks + pred) - inter + 1e-10)  # expect: KL406
        loss = 1.0 - iou
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables))
""",
    )
    valid = (
        """\
from keras import backend as K

def jaccard_coef_loss(y_true, y_pred):
    smooth = 1.0
    intersection = K.sum(y_true * y_pred, axis=[0, -1, -2])
    sum_ = K.sum(y_true + y_pred, axis=[0, -1, -2])
    jac = (intersection + smooth) / (sum_ - intersection + smooth)
    return 1 - K.mean(jac)
""",
        """\
import tensorflow as tf

def bce(y_true, y_pred, eps=1e-7):
    y_pred = tf.clip_by_value(y_pred, eps, 1.0 - eps)
    return -tf.reduce_mean(y_true * tf.math.log(y_pred) + (1.0 - y_true) * tf.math.log(1.0 - y_pred))
""",
        """\
from keras import ops

def iou(y_true, y_pred):
    intersection = ops.sum(y_true * y_pred)
    union = ops.sum(y_true) + ops.sum(y_pred) - intersection
    return intersection / (union + 1e-7)
""",
        """\
from keras import backend as K

def bce(y_true, y_pred):
    y_pred = K.clip(y_pred, K.epsilon(), 1 - K.epsilon())
    return -K.mean(y_true * K.log(y_pred) + (1 - y_true) * K.log(1 - y_pred))
""",
        """\
import tensorflow as tf

images = tf.compat.v1.placeholder(tf.float32, [None, 64, 64, 1])
masks = tf.compat.v1.placeholder(tf.float32, [None, 64, 64, 1])
probs = tf.compat.v1.layers.conv2d(images, 1, 3, padding="same", activation=tf.nn.sigmoid)
smooth = 1.0
overlap = tf.reduce_sum(masks * probs)
dice = (2.0 * overlap + smooth) / (tf.reduce_sum(masks) + tf.reduce_sum(probs) + smooth)
train_op = tf.compat.v1.train.AdamOptimizer(1e-4).minimize(1.0 - dice)
""",
        """\
import tensorflow as tf

def train_step(model, optimizer, images, masks):
    with tf.GradientTape() as tape:
        pred = model(images, training=True)
        inter = tf.reduce_sum(masks * pred)
        iou = (inter + 1.0) / (tf.reduce_sum(masks + pred) - inter + 1.0)
        loss = 1.0 - iou
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables))
""",
    )

    def check(self, facts, options):
        minimum = options["min-value"]
        reported = set()  # one finding per constant, and per clip (its 1 - eps ceiling before its floor)
        for function in facts.custom_functions:
            for constant in sorted(function.small_constants, key=lambda c: c.how != "clip-ceiling"):
                keys = {constant.span}
                if constant.how.startswith("clip"):
                    keys.add((constant.function, constant.use))
                if self._vanishes(constant, minimum) and not keys & reported:
                    reported |= keys
                    yield Finding(constant.span, self._message(constant), fix=self._fix(constant))

    @staticmethod
    def _vanishes(constant, minimum: float) -> bool:
        if constant.how == "clip-ceiling":  # 1 - eps only fails once it rounds to 1.0
            return constant.value < minimum and float32(1.0 - constant.value) == 1.0
        return constant.value < minimum

    @classmethod
    def _message(cls, constant) -> str:
        value = constant.value
        head = f"{constant.text} in {constant.function}: {value:g} is too small for float32"
        if constant.how == "clip-ceiling" and float32(1.0 - value) == 1.0:
            return (
                f"{head}: 1 - {value:g} rounds to exactly 1.0, so {constant.use} does not keep 1 - x above 0 "
                f"and log(1 - x) is -inf again once x saturates; {cls._advice(constant)}"
            )
        if constant.how in ("clip", "maximum"):
            return (
                f"{constant.text} in {constant.function}: a floor of {value:g} in {constant.use} lets the gradient "
                f"of a log or ratio above it reach ~1/{value:g} = {1 / value:.0e} wherever the value sits on the "
                f"floor (saturated or empty outputs); {cls._advice(constant)}"
            )
        return (
            f"{head}, which keeps ~7 significant digits: x + {value:g} == x for any |x| above "
            f"~{value * FLOAT32_DIGITS:.0e}, so in {constant.use} it only acts when the guarded value is exactly 0 "
            f"(an empty mask), and there the gradient reaches ~1/{value:g} = {1 / value:.0e}; {cls._advice(constant)}"
        )

    @staticmethod
    def _advice(constant) -> str:
        name = constant.text.split("=")[0].strip() if "=" in constant.text else None
        if constant.how == "added" and ("/" in constant.use or "divide" in constant.use):
            return f"use {name or 'smooth'}=1.0 (the standard for Dice/Jaccard) or at least K.epsilon() (1e-7)"
        return f"use {name + '=' if name else ''}K.epsilon() (1e-7) or larger"

    @classmethod
    def _fix(cls, constant) -> str:
        advice = cls._advice(constant)
        return advice[0].upper() + advice[1:] + "."
