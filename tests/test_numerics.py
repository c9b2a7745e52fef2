"""loss-numerics: custom losses and metrics (KL401-KL407) through the real engine, and the facts behind them."""

from __future__ import annotations

from textwrap import dedent

import libcst
import pytest

from kerlint.engine import LintSettings, lint_source
from kerlint.extract.collect import ModuleContext
from kerlint.extract.numerics import custom_functions

EVERYTHING = LintSettings.all_rules()


def numerics(source: str, settings: LintSettings = EVERYTHING) -> list[tuple[int, str]]:
    """(line, code) of every loss-numerics finding (and internal error), sorted."""
    found = lint_source(dedent(source), "train.py", settings)
    return sorted((d.span.line, d.code) for d in found if d.code.startswith("KL4") or d.code == "KL004")


def messages(source: str, code: str) -> list[str]:
    return [d.message for d in lint_source(dedent(source), "train.py", EVERYTHING) if d.code == code]


def functions(source: str):
    ctx = ModuleContext(libcst.parse_module(dedent(source)), "train.py")
    return {function.name: function for function in custom_functions(ctx, {})}


# --- the seeds -----------------------------------------------------------------------------------------

SEED_000 = """\
def jaccard_coef_loss(y_true, y_pred):
    smooth = 1e-12
    intersection = K.sum(y_true * y_pred, axis=[0, -1, -2])
    sum_ = K.sum(y_true + y_pred, axis=[0, -1, -2])
    jac = (intersection + smooth) / (sum_ - intersection + smooth)
    return 1 - K.mean(jac)

optimizer = SGD(lr=0.01, momentum=0.9, nesterov=True)
"""

SEED_004_ANSWER = """\
def bce_modified(y_true, y_pred):
    return (1.0/2.0) * ((1-y_true) * K.log(1-y_pred) + (1+y_true) * K.log(1+y_pred))


def build_unet_bn(input_layer = Input((128,128,3)), start_depth=16, activation='relu', initializer='glorot_normal'):
    # part of the method without the last layer
    output_layer = Conv2D(1, (1,1), padding="same", activation="tanh")(uconv1)

    return output_layer

model.compile(optimizer=Adam(lr=1e-3), loss=bce_modified, metrics=metrics)
"""


def test_seed_000_jaccard_reports_the_vanishing_smooth_at_its_definition_and_no_division():
    assert numerics(SEED_000) == [(2, "KL406")]
    (message,) = messages(SEED_000, "KL406")
    assert message.startswith("smooth = 1e-12 in jaccard_coef_loss: 1e-12 is too small for float32")
    assert "~1/1e-12 = 1e+12" in message and "(intersection + smooth) / (sum_ - intersection + smooth)" in message


def test_seed_000_fixed_with_smooth_one_is_silent():
    assert numerics(SEED_000.replace("smooth = 1e-12", "smooth = 1.")) == []


def test_seed_004_answer_reports_both_logs_and_the_missing_minus():
    assert numerics(SEED_004_ANSWER) == [(2, "KL401"), (2, "KL401"), (2, "KL407")]
    logs = messages(SEED_004_ANSWER, "KL401")
    assert logs == [
        "K.log(1-y_pred) in bce_modified: nothing keeps 1-y_pred above 0 (y_pred = 1 gives log(0) = -inf, "
        "NaN gradients); clip y_pred or add an epsilon inside the log",
        "K.log(1+y_pred) in bce_modified: nothing keeps 1+y_pred above 0 (y_pred = -1 gives log(0) = -inf, "
        "NaN gradients); clip y_pred or add an epsilon inside the log",
    ]
    (sign,) = messages(SEED_004_ANSWER, "KL407")
    assert sign.startswith("bce_modified returns (1.0/2.0) * ((1-y_true) * K.log(1-y_pred)")


def test_seed_004_answer_fixed_is_silent():
    fixed = SEED_004_ANSWER.replace(
        "    return (1.0/2.0)",
        "    y_pred = K.clip(y_pred, -1 + K.epsilon(), 1 - K.epsilon())\n    return -(1.0/2.0)",
    )
    assert numerics(fixed) == []


def test_the_seed_fixtures_give_the_same_findings():
    from pathlib import Path

    seeds = Path(__file__).resolve().parent.parent / "fixtures" / "seeds"
    for name, expected in (("seed_000_jaccard_sgd.py", [(2, "KL406")]),
                           ("seed_004_answer_tanh_bce.py", [(2, "KL401"), (2, "KL401"), (2, "KL407")])):
        path = seeds / name
        if path.is_file():
            assert numerics(path.read_text(encoding="utf-8")) == expected, name


# --- correct losses stay silent --------------------------------------------------------------------------

CORRECT_LOSSES = {
    "keras-style clipped binary crossentropy": """
        from keras import backend as K

        def binary_crossentropy(y_true, y_pred):
            y_pred = K.clip(y_pred, K.epsilon(), 1 - K.epsilon())
            return -K.mean(y_true * K.log(y_pred) + (1 - y_true) * K.log(1 - y_pred), axis=-1)
    """,
    "categorical crossentropy, normalized then clipped": """
        from keras import backend as K

        def categorical_crossentropy(y_true, y_pred):
            y_pred = y_pred / K.sum(y_pred, axis=-1, keepdims=True)
            y_pred = K.clip(y_pred, K.epsilon(), 1. - K.epsilon())
            return -K.sum(y_true * K.log(y_pred), axis=-1)
    """,
    "weighted categorical crossentropy factory": """
        from keras import backend as K

        def weighted_categorical_crossentropy(weights):
            weights = K.variable(weights)
            def loss(y_true, y_pred):
                y_pred /= K.sum(y_pred, axis=-1, keepdims=True) + K.epsilon()
                y_pred = K.clip(y_pred, K.epsilon(), 1 - K.epsilon())
                return -K.sum(y_true * K.log(y_pred) * weights, -1)
            return loss
    """,
    "dice with smooth=1 and its loss": """
        from keras import backend as K

        def dice_coef(y_true, y_pred, smooth=1):
            y_true_f = K.flatten(y_true)
            y_pred_f = K.flatten(y_pred)
            intersection = K.sum(y_true_f * y_pred_f)
            return (2. * intersection + smooth) / (K.sum(y_true_f) + K.sum(y_pred_f) + smooth)

        def dice_coef_loss(y_true, y_pred):
            return 1 - dice_coef(y_true, y_pred)

        model.compile(optimizer="adam", loss=dice_coef_loss, metrics=[dice_coef])
    """,
    "focal loss with clip": """
        import tensorflow as tf
        from keras import backend as K

        def focal_loss(gamma=2., alpha=.25):
            def focal_loss_fixed(y_true, y_pred):
                y_pred = K.clip(y_pred, K.epsilon(), 1. - K.epsilon())
                pt_1 = tf.where(tf.equal(y_true, 1), y_pred, tf.ones_like(y_pred))
                pt_0 = tf.where(tf.equal(y_true, 0), y_pred, tf.zeros_like(y_pred))
                return -K.mean(alpha * K.pow(1. - pt_1, gamma) * K.log(pt_1)) \\
                    - K.mean((1 - alpha) * K.pow(pt_0, gamma) * K.log(1. - pt_0))
            return focal_loss_fixed

        model.compile(optimizer="adam", loss=focal_loss(gamma=2.0))
    """,
    "keras 3 ops crossentropy with a stable softmax": """
        from keras import ops

        def softmax_ce(y_true, logits):
            shifted = logits - ops.max(logits, axis=-1, keepdims=True)
            log_probs = shifted - ops.log(ops.sum(ops.exp(shifted), axis=-1, keepdims=True))
            return -ops.mean(ops.sum(y_true * log_probs, axis=-1))
    """,
    "tf.math losses with counts and divide_no_nan": """
        import tensorflow as tf

        def masked_mae(y_true, y_pred):
            mask = tf.cast(tf.not_equal(y_true, 0), tf.float32)
            error = tf.reduce_sum(tf.abs(y_pred - y_true) * mask)
            return tf.math.divide_no_nan(error, tf.reduce_sum(mask))

        def mean_error(y_true, y_pred):
            batch = tf.cast(tf.shape(y_true)[0], tf.float32)
            return tf.reduce_sum(tf.abs(y_pred - y_true)) / batch + tf.reduce_sum(y_pred) / len(y_true)
    """,
    "rmse with epsilon and a huber-like loss": """
        from keras import backend as K

        def rmse(y_true, y_pred):
            return K.sqrt(K.mean(K.square(y_pred - y_true)) + K.epsilon())

        def log_cosh(y_true, y_pred):
            x = y_pred - y_true
            return K.mean(x + K.softplus(-2. * x) - K.log(2.))
    """,
    "a Loss subclass with a guarded call": """
        import keras
        from keras import ops

        class SoftDice(keras.losses.Loss):
            def __init__(self, smooth=1.0, **kwargs):
                super().__init__(**kwargs)
                self.smooth = smooth

            def call(self, y_true, y_pred):
                intersection = ops.sum(y_true * y_pred, axis=(1, 2))
                union = ops.sum(y_true + y_pred, axis=(1, 2))
                return 1.0 - ops.mean((2.0 * intersection + self.smooth) / (union + self.smooth))
    """,
    "kl divergence, clipped like keras": """
        from keras import backend as K

        def kld(y_true, y_pred):
            y_true = K.clip(y_true, K.epsilon(), 1)
            y_pred = K.clip(y_pred, K.epsilon(), 1)
            return K.sum(y_true * K.log(y_true / y_pred), axis=-1)
    """,
    "gaussian negative log-likelihood with bounded variance": """
        import tensorflow as tf

        def gaussian_nll(y_true, y_pred):
            mu, log_var = tf.split(y_pred, 2, axis=-1)
            log_var = tf.clip_by_value(log_var, -10.0, 10.0)
            return tf.reduce_mean(0.5 * (log_var + tf.square(y_true - mu) * tf.exp(-log_var)))
    """,
    "built-in losses only": """
        import keras

        model.compile(optimizer=keras.optimizers.Adam(), loss=keras.losses.BinaryCrossentropy(from_logits=True),
                      metrics=["accuracy", keras.metrics.MeanIoU(num_classes=2)])
    """,
}


@pytest.mark.parametrize("source", list(CORRECT_LOSSES.values()), ids=list(CORRECT_LOSSES))
def test_correct_losses_are_silent(source):
    assert numerics(source) == []


# --- dialects ----------------------------------------------------------------------------------------------

LOG_DIALECTS = {
    "keras.backend as K": ("from keras import backend as K", "K.log"),
    "tf.keras.backend": ("import tensorflow as tf", "tf.keras.backend.log"),
    "keras.ops": ("from keras import ops", "ops.log"),
    "keras.ops full": ("import keras", "keras.ops.log"),
    "tf.math": ("import tensorflow as tf", "tf.math.log"),
    "tf (TF1)": ("import tensorflow as tf", "tf.log"),
    "numpy": ("import numpy as np", "np.log"),
    "np.log10": ("import numpy as np", "np.log10"),
    "ops.log2": ("from keras import ops", "ops.log2"),
    "from-import": ("from keras.backend import log", "log"),
    "no imports (a Stack Overflow fragment)": ("", "K.log"),
}


@pytest.mark.parametrize(("header", "log"), list(LOG_DIALECTS.values()), ids=list(LOG_DIALECTS))
def test_unguarded_log_in_every_dialect(header, log):
    source = f"{header}\n\ndef nll(y_true, y_pred):\n    return -{log}(y_pred) * y_true\n\nmodel.compile(loss=nll)\n"
    assert numerics(source) == [(4, "KL401")]
    guarded = source.replace(f"{log}(y_pred)", f"{log}(y_pred + 1e-7)")
    assert numerics(guarded) == []


def test_a_user_function_named_log_is_not_a_log():
    source = """
        def log(x):
            return x

        def loss(y_true, y_pred):
            return -log(y_pred) * y_true
    """
    assert numerics(source) == []


@pytest.mark.parametrize("guarded", [
    "K.log(K.clip(y_pred, K.epsilon(), 1.0))",
    "K.log(K.maximum(y_pred, 1e-7))",
    "K.log(y_pred + K.epsilon())",
    "K.log(y_pred + keras.config.epsilon())",
    "K.log(y_pred + np.finfo(np.float32).eps)",
    "K.log(tf.clip_by_value(y_pred, 1e-7, 1.0))",
    "K.log(np.clip(y_pred, 1e-7, 1.0))",
    "K.log(ops.clip(y_pred, 1e-7, 1.0))",
    "K.log(K.softplus(y_pred))",
    "K.log(K.exp(y_pred) + 1)",
    "K.log(y_pred + eps)",
    "K.log(y_pred + self_eps)",
])
def test_what_counts_as_a_log_guard(guarded):
    source = f"""
        import numpy as np
        import keras
        import tensorflow as tf
        from keras import ops
        from keras import backend as K

        def loss(y_true, y_pred, eps=1e-6):
            self_eps = 1e-3
            return -K.mean(y_true * {guarded})
    """
    assert [code for _, code in numerics(source) if code == "KL401"] == []


@pytest.mark.parametrize("unguarded", [
    "K.log(K.clip(y_pred, 0, 1))",
    "K.log(K.maximum(y_pred, 0.0))",
    "K.log(K.relu(y_pred))",
    "K.log(0.5 + 0.5 * y_pred)",
    "K.log(1 - K.sigmoid(y_pred))",
    "K.log(y_true / (y_pred + K.epsilon()))",
    "K.log(K.abs(y_pred))",
])
def test_what_does_not_count_as_a_log_guard(unguarded):
    source = f"""
        from keras import backend as K

        def loss(y_true, y_pred):
            return -K.mean(y_true * {unguarded})
    """
    assert numerics(source) == [(5, "KL401")]


# --- local names, closures, factories, classes, helpers -------------------------------------------------


def test_names_resolve_to_their_latest_assignment_before_the_op():
    source = """
        from keras import backend as K

        def loss(y_true, y_pred):
            early = K.log(y_pred)
            y_pred = K.clip(y_pred, K.epsilon(), 1 - K.epsilon())
            late = K.log(y_pred) + K.log(1 - y_pred)
            p = y_pred
            q = 1 - p
            return -K.mean(early + late + K.log(q))
    """
    assert numerics(source) == [(5, "KL401")]


def test_a_clip_that_leaves_one_end_open_does_not_guard_the_complement():
    source = """
        from keras import backend as K

        def loss(y_true, y_pred):
            y_pred = K.clip(y_pred, K.epsilon(), 1.0)
            return -K.mean(y_true * K.log(y_pred) + (1 - y_true) * K.log(1 - y_pred))
    """
    assert numerics(source) == [(6, "KL401")]


def test_augmented_assignment_adds_the_guard():
    source = """
        import tensorflow as tf

        def loss(y_true, y_pred):
            denominator = tf.reduce_sum(y_true * y_pred)
            ratio = tf.reduce_sum(y_pred) / denominator
            denominator += 1.0
            return ratio + tf.reduce_sum(y_pred) / denominator
    """
    assert numerics(source) == [(6, "KL402")]


def test_tuple_unpacking_keeps_taint_and_guards():
    source = """
        from keras import backend as K

        def loss(y_true, y_pred):
            p, eps = y_pred, 1e-7
            a, b = K.split(y_pred, 2)
            return -K.mean(K.log(p + eps) + K.log(a))
    """
    assert numerics(source) == [(7, "KL401")]


def test_factory_default_constant_is_reported_at_the_parameter():
    source = """
        from keras import backend as K

        def dice_loss(smooth=1e-12):
            def loss(y_true, y_pred):
                intersection = K.sum(y_true * y_pred)
                return 1 - (2. * intersection + smooth) / (K.sum(y_true) + K.sum(y_pred) + smooth)
            return loss

        model.compile(optimizer="adam", loss=dice_loss())
    """
    assert numerics(source) == [(4, "KL406")]
    (message,) = messages(source, "KL406")
    assert message.startswith("smooth=1e-12 in dice_loss.loss:")


def test_factory_argument_at_the_call_site_overrides_the_default():
    source = """
        from keras import backend as K

        def dice_loss(smooth=1.0):
            def loss(y_true, y_pred):
                intersection = K.sum(y_true * y_pred)
                return 1 - (2. * intersection + smooth) / (K.sum(y_true) + K.sum(y_pred) + smooth)
            return loss

        model.compile(optimizer="adam", loss=dice_loss(smooth=1e-10))
    """
    assert numerics(source) == [(10, "KL406")]


def test_inner_function_of_a_compiled_factory_with_unusual_parameter_names():
    source = """
        from keras import backend as K

        def make(weight):
            def f(a, b):
                return -K.mean(weight * a * K.log(b))
            return f

        model.compile(optimizer="adam", loss=make(2.0))
    """
    assert numerics(source) == [(6, "KL401")]
    assert functions(source) == {}  # found only through compile(): the engine gives the roles


def test_compiled_function_with_unusual_parameter_names_is_analyzed():
    source = """
        from keras import backend as K

        def objective(a, b):
            return K.mean(a * K.log(b))

        model.compile(optimizer="adam", loss=objective)
    """
    assert numerics(source) == [(5, "KL401"), (5, "KL407")]


def test_loss_subclass_call_and_its_init_constants():
    source = """
        import keras
        from keras import backend as K

        class FocalLoss(keras.losses.Loss):
            def __init__(self, gamma=2.0, eps=1e-12, **kwargs):
                super().__init__(**kwargs)
                self.gamma = gamma
                self.eps = eps

            def call(self, y_true, y_pred):
                p = K.clip(y_pred, self.eps, 1.0 - self.eps)
                weight = K.pow(1.0 - p, self.gamma)
                return -K.mean(weight * y_true * K.log(p) + K.log(y_pred))

        model.compile(optimizer="adam", loss=FocalLoss())
    """
    assert numerics(source) == [(6, "KL406"), (14, "KL401")]
    found = functions(source)
    assert found["FocalLoss.call"].role == "loss"


def test_loss_subclass_argument_passed_at_construction():
    source = """
        import keras
        from keras import ops

        class Jaccard(keras.losses.Loss):
            def __init__(self, smooth=1.0):
                super().__init__()
                self.smooth = smooth

            def call(self, y_true, y_pred):
                intersection = ops.sum(y_true * y_pred)
                return 1 - (intersection + self.smooth) / (ops.sum(y_true + y_pred) - intersection + self.smooth)

        model.compile(optimizer="adam", loss=Jaccard(smooth=1e-9))
    """
    assert numerics(source) == [(14, "KL406")]


def test_helpers_called_from_a_loss_are_analyzed_with_its_taint():
    source = """
        from keras import backend as K

        def safe_log(x):
            return K.log(x)

        def ratio(a, b):
            return a / b

        def loss(y_true, y_pred):
            constant = safe_log(2.0) + ratio(1.0, 3.0)
            return -K.mean(y_true * safe_log(y_pred)) + ratio(K.sum(y_true), K.sum(y_pred))
    """
    assert numerics(source) == [(5, "KL401"), (8, "KL402")]
    found = functions(source)
    assert found["safe_log"].role == "loss-like"
    assert [op.depends_on_prediction for op in found["ratio"].numeric_ops] == [True]


def test_helper_not_reached_by_the_inputs_is_not_reported():
    source = """
        from keras import backend as K

        def normalizer(x):
            return x / K.sum(x)

        def loss(y_true, y_pred):
            return K.mean(K.square(y_pred - y_true)) * normalizer(K.constant([1.0, 2.0]))[0]
    """
    assert numerics(source) == []


def test_self_method_helper_in_a_loss_class():
    source = """
        import keras
        from keras import backend as K

        class Weighted(keras.losses.Loss):
            def _log(self, p):
                return K.log(p)

            def call(self, y_true, y_pred):
                return -K.mean(y_true * self._log(y_pred))
    """
    assert numerics(source) == [(7, "KL401")]


def test_metric_roles_and_nested_inner_functions():
    source = """
        from keras import backend as K

        def precision(y_true, y_pred):
            tp = K.sum(K.round(K.clip(y_true * y_pred, 0, 1)))
            predicted = K.sum(K.round(K.clip(y_pred, 0, 1)))
            return tp / predicted

        def loss(y_true, y_pred):
            def inner(x):
                return K.sqrt(x)
            return inner(K.mean(K.square(y_pred - y_true)))

        model.compile(optimizer="adam", loss=loss, metrics=[precision])
    """
    assert numerics(source) == [(7, "KL402"), (11, "KL403")]


# --- the other kinds ----------------------------------------------------------------------------------------


def test_division_by_counts_and_constants_is_fine_and_by_sums_is_not():
    source = """
        import tensorflow as tf
        import keras

        def loss(y_true, y_pred):
            n = tf.cast(tf.size(y_true), tf.float32)
            a = tf.reduce_sum(y_pred) / n
            b = tf.reduce_sum(y_pred) / y_pred.shape[0]
            c = tf.reduce_sum(y_pred) / 2.0
            d = tf.reduce_sum(y_pred) / tf.reduce_sum(tf.ones_like(y_true))
            e = keras.ops.divide(tf.reduce_sum(y_true), tf.reduce_sum(y_pred))
            f = tf.math.reciprocal(tf.reduce_mean(y_pred))
            return a + b + c + d + e + f
    """
    assert numerics(source) == [(11, "KL402"), (12, "KL402")]


def test_sqrt_and_fractional_powers():
    source = """
        from keras import backend as K
        from keras import ops

        def loss(y_true, y_pred):
            a = K.sqrt(K.sum(K.square(y_pred - y_true), axis=-1))
            b = K.pow(K.abs(y_pred - y_true), 0.5)
            c = ops.rsqrt(ops.mean(ops.square(y_pred)))
            d = K.sqrt(K.sum(K.square(y_pred - y_true), axis=-1) + 1e-6)
            e = K.pow(K.abs(y_pred - y_true), 2)
            return a + b + c + d + e
    """
    assert numerics(source) == [(6, "KL403"), (7, "KL403"), (8, "KL403")]


def test_negative_powers_including_through_names():
    source = """
        import numpy as np
        from keras import backend as K

        def loss(y_true, y_pred):
            k = -2
            w = K.sum(y_pred, axis=0) ** k
            v = np.power(K.sum(y_pred, axis=0), -1)
            u = (K.sum(y_pred, axis=0) + K.epsilon()) ** -2
            w **= -1
            return K.mean(w * v * u * y_pred)
    """
    assert numerics(source) == [(7, "KL404"), (8, "KL404"), (10, "KL404")]


def test_exp_bounded_or_non_positive_arguments_are_fine():
    source = """
        from keras import backend as K

        def loss(y_true, y_pred):
            a = K.exp(-K.abs(y_pred))
            b = K.exp(-K.square(y_pred - y_true))
            c = K.exp(y_pred - K.max(y_pred, axis=-1, keepdims=True))
            d = K.exp(K.minimum(y_pred, 50.0))
            e = K.exp(K.clip(y_pred, -20, 20))
            f = K.exp(K.sigmoid(y_pred))
            g = K.exp(y_true)
            h = K.exp(y_pred)
            return K.mean(a + b + c + d + e + f + g + h)
    """
    assert numerics(source) == [(12, "KL405")]


def test_log_one_plus_exp_is_reported_once_as_softplus():
    source = """
        import tensorflow as tf

        def logistic(y_true, y_pred):
            return tf.reduce_mean(tf.math.log(1.0 + tf.math.exp(-y_true * y_pred)))

        def lse(y_true, y_pred):
            return -tf.reduce_mean(y_true * (y_pred - tf.math.log(tf.reduce_sum(tf.math.exp(y_pred)))))
    """
    assert numerics(source) == [(5, "KL405"), (8, "KL405")]
    softplus, logsumexp = messages(source, "KL405")
    assert "part of log(1 + exp(x))" in softplus and "softplus(-y_true * y_pred)" in softplus
    assert "part of log(sum(exp(x)))" in logsumexp and "logsumexp(y_pred)" in logsumexp


# --- KL406 -----------------------------------------------------------------------------------------------------


def test_vanishing_constants_are_reported_once_where_defined():
    source = """
        import numpy as np
        from keras import backend as K

        EPS = 1e-10

        def dice(y_true, y_pred):
            return (2 * K.sum(y_true * y_pred) + EPS) / (K.sum(y_true + y_pred) + EPS)

        def dice_loss(y_true, y_pred):
            return 1 - (2 * K.sum(y_true * y_pred) + EPS) / (K.sum(y_true + y_pred) + EPS)

        def bce(y_true, y_pred):
            p = K.clip(y_pred, 1e-15, 1 - 1e-15)
            q = K.log(y_pred + np.finfo(float).eps)
            return -K.mean(y_true * K.log(p) + (1 - y_true) * K.log(1 - p) + q)
    """
    assert numerics(source) == [(5, "KL406"), (14, "KL406"), (15, "KL406")]
    clip = [m for m in messages(source, "KL406") if m.startswith("1e-15")]
    assert clip and "1 - 1e-15 rounds to exactly 1.0" in clip[0]


def test_min_value_option():
    strict = LintSettings(enabled=EVERYTHING.enabled, rule_options={"KL406": {"min-value": 1e-3}})
    lax = LintSettings(enabled=EVERYTHING.enabled, rule_options={"KL406": {"min-value": 1e-13}})
    source = SEED_000.replace("1e-12", "1e-5")
    assert numerics(source) == []
    assert numerics(source, strict) == [(2, "KL406")]
    assert numerics(SEED_000, lax) == []


def test_keras_epsilon_is_not_a_vanishing_constant():
    source = """
        from keras import backend as K

        def loss(y_true, y_pred):
            eps = K.epsilon()
            return -K.mean(y_true * K.log(y_pred + eps)) / (K.sum(y_true) + K.epsilon())
    """
    assert numerics(source) == []


# --- KL407 -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("returned", [
    "-K.mean(y_true * K.log(p) + (1 - y_true) * K.log(1 - p))",
    "K.mean(-y_true * K.log(p))",
    "-K.sum(y_true * K.log(p), axis=-1)",
    "K.mean(K.sum(y_true * -K.log(p), axis=-1))",
    "0.0 - K.mean(y_true * K.log(p))",
    "K.mean(p * K.log(p))",
    "K.mean(weights * y_true * K.log(p))",
    "K.mean(K.log(p / y_true))",
    "1 - K.mean(K.sum(y_true * p))",
])
def test_negated_or_unknown_sign_likelihoods_are_silent(returned):
    source = f"""
        from keras import backend as K

        def loss(y_true, y_pred, weights):
            p = K.clip(y_pred, K.epsilon(), 1 - K.epsilon())
            return {returned}
    """
    assert [code for _, code in numerics(source) if code == "KL407"] == []


@pytest.mark.parametrize("returned", [
    "K.mean(y_true * K.log(p) + (1 - y_true) * K.log(1 - p))",
    "K.sum(y_true * K.log(p), axis=-1)",
    "0.5 * K.mean(K.log(p))",
    "K.mean(2.0 * y_true * K.log(p)) + K.mean((1 - y_true) * K.log(1 - p))",
    "ll",
])
def test_unnegated_likelihoods_are_errors(returned):
    source = f"""
        from keras import backend as K

        def loss(y_true, y_pred):
            p = K.clip(y_pred, K.epsilon(), 1 - K.epsilon())
            ll = K.mean(y_true * K.log(p))
            return {returned}
    """
    assert numerics(source) == [(7, "KL407")]
    (diagnostic,) = [d for d in lint_source(dedent(source), "t.py", EVERYTHING) if d.code == "KL407"]
    assert diagnostic.severity.label == "error"


def test_likelihood_metrics_and_negated_helpers_are_not_losses():
    source = """
        from keras import backend as K

        def log_likelihood(y_true, y_pred):
            return K.mean(y_true * K.log(K.clip(y_pred, K.epsilon(), 1.0)))

        def mean_log_prob(y_true, y_pred):
            return K.mean(K.log(K.clip(y_pred, K.epsilon(), 1.0)))

        def nll(y_true, y_pred):
            return -log_likelihood(y_true, y_pred)

        def bad(y_true, y_pred):
            return log_likelihood(y_true, y_pred)

        model.compile(optimizer="adam", loss=nll, metrics=[mean_log_prob])
    """
    assert numerics(source) == [(14, "KL407")]


# --- the facts ------------------------------------------------------------------------------------------------


def test_facts_of_seed_000():
    (jaccard,) = functions(SEED_000).values()
    assert (jaccard.name, jaccard.role, jaccard.span.line) == ("jaccard_coef_loss", "loss-like", 1)
    (division,) = jaccard.numeric_ops
    assert (division.kind, division.depends_on_prediction, division.guard) == ("divide", True, "smooth")
    assert division.operand_text == "sum_ - intersection + smooth"
    (constant,) = jaccard.small_constants
    assert (constant.value, constant.text, constant.span.line, constant.how) == (1e-12, "smooth = 1e-12", 2, "added")
    assert constant.use == "(intersection + smooth) / (sum_ - intersection + smooth)"


def test_facts_of_seed_004_answer():
    bce = functions(SEED_004_ANSWER)["bce_modified"]
    logs = [op for op in bce.numeric_ops if op.kind == "log"]
    assert [(op.text, op.guard, op.depends_on_prediction) for op in logs] == [
        ("K.log(1-y_pred)", None, True), ("K.log(1+y_pred)", None, True)]
    assert bce.unnegated_log_likelihood is not None and bce.unnegated_log_likelihood.span.line == 2


def test_engine_roles_reach_the_facts():
    from kerlint.extract import extract_facts

    source = dedent("""
        def my_loss(y_true, y_pred):
            return K.mean(K.square(y_pred - y_true))

        def my_metric(y_true, y_pred):
            return K.mean(y_pred)

        model.compile(optimizer="adam", loss=my_loss, metrics=[my_metric])
    """)
    facts = extract_facts(libcst.parse_module(source), "t.py")
    assert {f.name: f.role for f in facts.custom_functions} == {"my_loss": "loss", "my_metric": "metric"}


# --- weird code -------------------------------------------------------------------------------------------------

WEIRD = {
    "lambdas": """
        model.compile(loss=lambda y_true, y_pred: K.log(y_pred), metrics=[lambda a, b: a / b])
        f = lambda y_true, y_pred: K.sqrt(y_pred)
        def loss(y_true, y_pred):
            return K.mean(K.map_fn(lambda x: K.log(x), y_pred))
    """,
    "star args": """
        def loss(*args, **kwargs):
            return K.log(args[1]) / kwargs["n"]
        def loss2(y_true, y_pred, *rest):
            return K.mean(K.log(y_pred + 1e-7)) + helper(*rest)
        def helper(*a):
            return K.log(a[0])
    """,
    "recursion": """
        def loss(y_true, y_pred):
            return loss(y_true, y_pred) + K.log(y_pred)
        def ping(y_true, y_pred):
            return pong(y_true, y_pred)
        def pong(y_true, y_pred):
            return -K.mean(K.log(ping(y_true, y_pred)))
    """,
    "nested defs and classes": """
        def outer(smooth=1e-12):
            class Inner:
                def call(self, y_true, y_pred):
                    def deeper(x):
                        return 1.0 / K.sum(x)
                    return deeper(y_pred) + smooth
            return Inner
    """,
    "self-referencing names": """
        def loss(y_true, y_pred):
            a = b
            b = a
            eps = eps + 1
            y_pred = y_pred
            return K.log(a) + K.log(y_pred) + eps
    """,
    "long reassignment chain": "def loss(y_true, y_pred):\n    x = y_pred\n"
                               + "".join("    x = x * x + K.log(x + 1e-3) / (x + 2)\n" for _ in range(400))
                               + "    return K.mean(x)\n",
    "odd syntax": """
        def loss(y_true, y_pred, /, *, eps: float = 1e-7) -> float:
            global G
            nonlocal_ = [K.log(p + eps) for p in y_pred]
            if (n := K.sum(y_true)) > 0:
                y_pred = y_pred / n
            with ctx() as c, other():
                pass
            try:
                z = K.exp(y_pred) ** -1.5 ** 2 / 0
            except (ValueError, TypeError) as e:
                z = 1e309 ** 1e309
            return z @ z[::2, ..., None] if y_true else -K.mean(y_true * K.log(y_pred + eps))
    """,
    "huge and odd literals": """
        def loss(y_true, y_pred):
            a = K.log(y_pred + 1e-400)
            b = y_pred ** 10**1000
            c = y_pred / 0x10
            d = y_pred ** (1 / 0)
            e = K.pow(y_pred, 1j)
            return a + b + c + d + e
    """,
    "method calls on tensors": """
        def loss(y_true, y_pred):
            return y_pred.log().mean() / y_true.sum() + K.log(y_pred.clip(0, 1))
    """,
}


@pytest.mark.parametrize("source", list(WEIRD.values()), ids=list(WEIRD))
def test_weird_code_does_not_crash(source):
    found = numerics(source)
    assert (1, "KL004") not in found and all(code != "KL004" for _, code in found)


def test_weird_code_still_finds_what_is_plain():
    assert (3, "KL401") in numerics(WEIRD["recursion"])
    assert numerics(WEIRD["nested defs and classes"]) == [(6, "KL402")]
    assert numerics(WEIRD["self-referencing names"]) == [(7, "KL401")]


def test_lambda_losses_are_analyzed():
    source = """
        from keras import backend as K

        model.compile(optimizer="adam", loss=lambda y_true, y_pred: K.mean(y_true * K.log(y_pred)))
        focal = lambda y_true, y_pred: -K.mean(y_true * K.log(K.clip(y_pred, 1e-12, 1.0)))
        other = lambda a, b: a / b
    """
    assert numerics(source) == [(4, "KL401"), (4, "KL407"), (5, "KL406")]
    assert "in focal:" in messages(source, "KL406")[0]


def test_trailing_smoothing_guards_and_a_leading_complement_does_not():
    source = """
        import tensorflow as tf
        from keras import backend as K

        def iou_loss(y_true, y_pred):
            intersection = tf.reduce_sum(y_true * y_pred)
            union = tf.reduce_sum(y_true) + tf.reduce_sum(y_pred) - intersection
            return -tf.math.log((intersection + 1.) / (union + 1.))

        def false_positive_rate(y_true, y_pred):
            negatives = K.sum(1 - y_pred)
            return K.sum(y_pred * (1 - y_true)) / negatives

        def shifted(y_true, y_pred):
            return -K.mean(y_true * K.log(0.5 * y_pred + 0.5))
    """
    assert numerics(source) == [(12, "KL402"), (15, "KL401")]


def test_exp_of_a_helper_result_is_assumed_bounded():
    source = """
        import tensorflow as tf

        def tversky(y_true, y_pred, smooth=1.0):
            tp = tf.reduce_sum(y_true * y_pred)
            return (tp + smooth) / (tf.reduce_sum(y_true + y_pred) - tp + smooth)

        def log_cosh_tversky(y_true, y_pred):
            x = 1 - tversky(y_true, y_pred)
            return tf.math.log((tf.exp(x) + tf.exp(-x)) / 2.0)
    """
    assert numerics(source) == []


def test_where_is_guarded_by_its_branches_or_by_testing_one():
    source = """
        import tensorflow as tf
        from keras import backend as K

        def focal_unclipped(y_true, y_pred):
            pt_1 = tf.where(tf.equal(y_true, 1), y_pred, tf.ones_like(y_pred))
            pt_0 = tf.where(tf.equal(y_true, 0), y_pred, tf.zeros_like(y_pred))
            return -K.sum(K.pow(1. - pt_1, 2.) * K.log(pt_1)) - K.sum(K.pow(pt_0, 2.) * K.log(1. - pt_0))

        def masked_mean(y_true, y_pred):
            n = K.sum(y_true)
            return K.sum(y_pred * y_true) / tf.where(n > 0, n, 1.0)

        def switch(y_true, y_pred):
            p = K.switch(y_true > 0.5, y_pred, 1 - y_pred)
            return -K.mean(K.log(p))
    """
    assert numerics(source) == [(8, "KL401"), (8, "KL401"), (16, "KL401")]


def test_clip_constants_one_finding_per_clip_with_the_right_reason():
    source = """
        import tensorflow as tf

        def floor_only(y_true, y_pred):
            y_pred = tf.clip_by_value(y_pred, 1e-9, 1.)
            return tf.reduce_mean(-tf.reduce_sum(y_true * tf.math.log(y_pred)))

        def rounding_ceiling(y_true, y_pred):
            y_pred = tf.clip_by_value(y_pred, 1e-7, 1.0 - 1e-10)
            return -tf.reduce_mean(y_true * tf.math.log(y_pred) + (1.0 - y_true) * tf.math.log(1.0 - y_pred))

        def representable_ceiling(y_true, y_pred):
            y_pred = tf.clip_by_value(y_pred, 5e-8, 1.0 - 5e-8)
            return -tf.reduce_mean(y_true * tf.math.log(y_pred) + (1.0 - y_true) * tf.math.log(1.0 - y_pred))
    """
    assert numerics(source) == [(5, "KL406"), (9, "KL406"), (13, "KL406")]
    floor, ceiling, representable = messages(source, "KL406")
    assert "a floor of 1e-09" in floor and "1/1e-09 = 1e+09" in floor
    assert ceiling.startswith("1e-10 in rounding_ceiling") and "1 - 1e-10 rounds to exactly 1.0" in ceiling
    assert representable.startswith("5e-8 in representable_ceiling") and "a floor of 5e-08" in representable


def test_other_libraries_summaries_are_not_tensors_and_numpy_roots_have_no_gradient():
    source = """
        import numpy as np
        import tensorflow as tf
        from sklearn.metrics import confusion_matrix

        def normalized_confusion(y_true, y_pred):
            cm = confusion_matrix(y_true, y_pred)
            return cm.astype("float") / cm.sum(axis=1)[:, np.newaxis]

        def rmse_report(y_true, y_pred):
            return np.sqrt(np.mean((y_true - y_pred) ** 2))

        def cosine_loss(y_true, y_pred):
            return -tf.reduce_sum(y_true * y_pred) / (tf.linalg.norm(y_true) * tf.norm(y_pred))
    """
    assert numerics(source) == [(14, "KL402")]


def test_log_sum_exp_with_a_named_shift_is_stable():
    """False positives seen on published code: the max taken into a name, and NumPy's .sum() method."""
    source = '''
import numpy as np
from keras import ops

def lse_loss(y_true, y_pred):
    m = ops.max(y_pred, axis=-1, keepdims=True)
    lse = m + ops.log(ops.sum(ops.exp(y_pred - m), axis=-1, keepdims=True))
    return ops.mean(lse - ops.sum(y_true * y_pred, axis=-1))

def log_softmax(x, axis=-1):
    max_x = np.max(x, axis=axis, keepdims=True)
    logsumexp = np.log(np.exp(x - max_x).sum(axis=axis, keepdims=True))
    return x - max_x - logsumexp

def loss2(y_true, y_pred):
    return -np.sum(y_true * log_softmax(y_pred))
'''
    from kerlint.engine import LintSettings, lint_source
    assert [d.code for d in lint_source(source, "t.py", LintSettings.all_rules())] == []
