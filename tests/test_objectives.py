"""Losses that are differentiated outside compile(): TF1 graph code, GradientTape blocks, train_step and
compute_loss overrides, add_loss, and crossentropies computed in tensor code (KL107-KL110)."""

from textwrap import dedent

import pytest

from kerlint.engine import lint_bytes, lint_source
from kerlint.settings import LintSettings

EVERYTHING = LintSettings.all_rules()


def found(source: str) -> list[tuple[int, str]]:
    """(line, code) of every activation-loss and loss-numerics finding (and internal error), sorted."""
    diagnostics = lint_source(dedent(source), "train.py", EVERYTHING)
    return sorted((d.span.line, d.code) for d in diagnostics if d.code[:3] in ("KL1", "KL4") or d.code == "KL004")


def message(source: str, code: str) -> str:
    (only,) = [d.message for d in lint_source(dedent(source), "train.py", EVERYTHING) if d.code == code]
    return only


TF1_SOFTMAX_REGRESSION = """
    import tensorflow as tf

    x = tf.placeholder(tf.float32, [None, 784])
    W = tf.Variable(tf.zeros([784, 10]))
    b = tf.Variable(tf.zeros([10]))
    y = tf.nn.softmax(tf.matmul(x, W) + b)
    y_ = tf.placeholder(tf.float32, [None, 10])
    cross_entropy = -tf.reduce_sum(y_ * tf.log(y))
    train_step = tf.train.GradientDescentOptimizer(0.01).minimize(cross_entropy)
"""


def test_tf1_log_of_a_softmax_is_reported_with_the_stable_op():
    assert found(TF1_SOFTMAX_REGRESSION) == [(9, "KL401")]
    diagnostics = [d for d in lint_source(dedent(TF1_SOFTMAX_REGRESSION), "train.py", EVERYTHING) if d.code == "KL401"]
    (finding,) = diagnostics
    assert finding.message.startswith("tf.log(y) in cross_entropy, the loss passed to minimize(): y comes out of "
                                      "tf.nn.softmax(tf.matmul(x, W) + b)")
    assert "softmax_cross_entropy_with_logits" in finding.fix


def test_tf1_clip_floor_before_the_log_of_a_softmax_is_the_safe_idiom():
    source = TF1_SOFTMAX_REGRESSION.replace("tf.log(y)", "tf.log(tf.clip_by_value(y, 1e-10, 1.0))")
    assert found(source) == []


def test_the_same_loss_that_is_never_differentiated_is_silent():
    source = TF1_SOFTMAX_REGRESSION.replace(
        "train_step = tf.train.GradientDescentOptimizer(0.01).minimize(cross_entropy)", "print(cross_entropy)")
    assert found(source) == []


def test_tf1_helpers_that_build_the_model_and_the_loss_are_followed():
    source = """
        import tensorflow as tf

        def inference(images):
            W = tf.get_variable("W", [784, 10])
            b = tf.get_variable("b", [10])
            return tf.matmul(images, W) + b

        def loss(logits, labels):
            probs = tf.nn.sigmoid(logits)
            return -tf.reduce_mean(labels * tf.log(probs) + (1 - labels) * tf.log(1 - probs))

        images = tf.placeholder(tf.float32, [None, 784])
        labels = tf.placeholder(tf.float32, [None, 10])
        total = loss(inference(images), labels)
        train_op = tf.train.AdamOptimizer().minimize(total)
    """
    assert found(source) == [(11, "KL401"), (11, "KL401")]


def test_an_unknown_model_builder_fed_the_graph_inputs_is_a_prediction():
    source = """
        import tensorflow as tf
        from model import *

        X = tf.placeholder(tf.float32, [None, 8, 8, 2])
        y = tf.placeholder(tf.int32, [None])
        nn = value_iteration_block(X)
        cost = -tf.reduce_mean(tf.gather(tf.log(nn), y))
        optimizer = tf.train.RMSPropOptimizer(learning_rate=0.001).minimize(cost)
    """
    assert found(source) == [(8, "KL401")]


def test_division_by_a_trainable_weight_in_the_graph():
    source = """
        import tensorflow as tf

        x = tf.placeholder(tf.float32, [None, 4])
        gain = tf.get_variable("gain", initializer=tf.random_uniform([1], minval=0, maxval=16))
        scaled = tf.div(tf.reduce_sum(x, axis=1), gain)
        loss = tf.reduce_mean(tf.square(scaled))
        train = tf.train.AdamOptimizer(0.1).minimize(loss)
    """
    assert found(source) == [(6, "KL402")]


def test_gradient_tape_with_a_keras_model():
    source = """
        import tensorflow as tf
        from tensorflow import keras

        model = keras.Sequential([keras.layers.Dense(10, activation="softmax")])
        for x, y in dataset:
            with tf.GradientTape() as tape:
                probs = model(x, training=True)
                loss = -tf.reduce_mean(tf.reduce_sum(y * tf.math.log(probs), axis=1))
            grads = tape.gradient(loss, model.trainable_variables)
    """
    assert found(source) == [(9, "KL401")]
    assert "in loss, the target of tape.gradient()" in message(source, "KL401")


def test_train_step_and_compute_loss_overrides_in_keras_3():
    source = """
        import keras
        from keras import ops
        import tensorflow as tf

        class Classifier(keras.Model):
            def train_step(self, data):
                x, y = data
                with tf.GradientTape() as tape:
                    y_pred = self(x, training=True)
                    loss = ops.mean(-y * ops.log(y_pred))
                grads = tape.gradient(loss, self.trainable_variables)
                return {"loss": loss}

        class Regressor(keras.Model):
            def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None):
                return ops.mean(ops.square(y - y_pred) / ops.sum(y_pred))
    """
    assert found(source) == [(11, "KL401"), (17, "KL402")]
    assert message(source, "KL402").startswith("ops.square(y - y_pred) / ops.sum(y_pred) in Regressor.compute_loss:")


def test_targets_alone_carry_no_gradient():
    source = """
        import tensorflow as tf

        class MaskedLoss(tf.keras.losses.Loss):
            def call(self, y_true, y_pred):
                mask = tf.cast(y_true > 0, tf.float32)
                loss = tf.keras.losses.sparse_categorical_crossentropy(y_true, y_pred) * mask
                scale = tf.exp(tf.reduce_mean(tf.abs(y_true)))
                return scale * tf.reduce_sum(loss) / tf.reduce_sum(mask)
    """
    assert found(source) == []


def test_vae_kl_term_in_add_loss_is_a_parameterization_not_an_overflow():
    source = """
        import tensorflow as tf

        class Sampling(tf.keras.layers.Layer):
            def call(self, inputs):
                z_mean, z_log_var = inputs
                kl = -0.5 * tf.reduce_mean(z_log_var - tf.square(z_mean) - tf.exp(z_log_var) + 1)
                self.add_loss(kl)
                return z_mean + tf.exp(0.5 * z_log_var) * tf.random.normal(tf.shape(z_mean))
    """
    assert found(source) == []


def test_hand_written_softmax_in_an_objective_is_an_exp_idiom():
    source = """
        import tensorflow as tf

        W = tf.Variable(tf.zeros([4, 3]))
        x = tf.placeholder(tf.float32, [None, 4])
        logits = tf.matmul(x, W)
        probs = tf.exp(logits) / tf.reduce_sum(tf.exp(logits), axis=1, keepdims=True)
        loss = -tf.reduce_mean(tf.log(probs + 1e-7))
        train = tf.train.AdamOptimizer().minimize(loss)
    """
    assert found(source) == [(7, "KL405"), (7, "KL405")]
    assert "a softmax written by hand" in lint_source(dedent(source), "t.py", EVERYTHING)[0].message


def test_an_entropy_clip_floor_is_not_a_vanishing_constant():
    source = """
        import tensorflow as tf

        class ClusterEntropy(tf.keras.losses.Loss):
            def call(self, y_true, y_pred):
                p = tf.clip_by_value(tf.reduce_mean(y_pred, axis=0), 1e-8, 1.0)
                return tf.reduce_sum(p * tf.math.log(p))
    """
    assert found(source) == []


def test_an_uncompiled_numpy_report_is_not_a_loss():
    source = """
        import numpy as np

        def report(y_true, y_pred):
            return np.mean(np.log(y_pred)) / np.sum(y_pred)
    """
    assert found(source) == []


def test_a_graph_built_in_a_loop_mixed_with_keras_and_an_unused_loss():
    source = """
        import tensorflow as tf
        import keras

        def unused(y_true, y_pred):
            return -tf.reduce_mean(y_true * tf.math.log(tf.clip_by_value(y_pred, 1e-7, 1.0)))

        model = keras.Sequential([keras.layers.Dense(2, activation="softmax")])
        model.compile(optimizer="adam", loss="categorical_crossentropy")
        for step in range(3):
            x = tf.compat.v1.placeholder(tf.float32, [None, 4])
            W = tf.Variable(tf.zeros([4, 2]))
            out = tf.nn.softmax(tf.matmul(x, W))
            cost = -tf.reduce_sum(tf.math.log(out))
            step_op = tf.compat.v1.train.GradientDescentOptimizer(0.1).minimize(cost)
            cost = cost + 1.0
    """
    assert found(source) == [(14, "KL401")]


def test_a_tf1_script_with_print_statements_gets_the_syntax_finding_only():
    source = TF1_SOFTMAX_REGRESSION + '    print "accuracy", 0.9\n'
    diagnostics = lint_bytes(dedent(source).encode(), "train.py", EVERYTHING)
    assert [d.code for d in diagnostics] == ["KL001"]


# --- crossentropies in tensor code -------------------------------------------------------------------

LENET = """
    import tensorflow as tf

    def build(images, training=True):
        hidden = tf.layers.dense(inputs=images, units=512, activation=tf.nn.relu)
        dropped = tf.layers.dropout(inputs=hidden, rate=0.25, training=training)
        return tf.layers.dense(inputs=dropped, units=UNITS, activation=ACTIVATION)

    images, labels = iterator.get_next()
    predictions = build(images)
    train_loss = LOSS(labels, predictions)
    train_op = tf.train.AdamOptimizer(3e-4).minimize(train_loss)
"""


@pytest.mark.parametrize(("units", "activation", "loss", "expected"), [
    ("10", "None", "tf.losses.softmax_cross_entropy", []),
    ("10", "tf.nn.softmax", "tf.losses.softmax_cross_entropy", [(7, "KL107")]),
    ("1", "tf.nn.sigmoid", "tf.losses.sigmoid_cross_entropy", [(7, "KL107")]),
    ("10", "tf.nn.relu", "tf.losses.softmax_cross_entropy", [(7, "KL108")]),
    ("10", "None", "tf.losses.log_loss", [(11, "KL109")]),
    ("1", "None", "tf.losses.log_loss", [(11, "KL109")]),
    ("1", "tf.nn.softmax", "tf.losses.log_loss", [(11, "KL109")]),
    ("1", "tf.nn.sigmoid", "tf.losses.log_loss", []),
    ("10", "tf.nn.softmax", "tf.losses.log_loss", [(7, "KL110")]),
])
def test_tf1_lenet_heads_and_losses(units, activation, loss, expected):
    source = LENET.replace("UNITS", units).replace("ACTIVATION", activation).replace("LOSS", loss)
    assert found(source) == expected


def test_a_missing_softmax_names_the_output_layer():
    source = LENET.replace("UNITS", "10").replace("ACTIVATION", "None").replace("LOSS", "tf.losses.log_loss")
    assert message(source, "KL109") == (
        "log_loss expects probabilities, but is given predictions, which comes out of tf.layers.dense(inputs=dropped, "
        "units=10, activation=None): a linear output is any real number: log of a negative value is NaN, of 0 is "
        "-inf, and values above 1 make the loss negative"
    )


def test_hand_written_crossentropy_over_an_affine_output():
    source = """
        import tensorflow as tf

        x = tf.placeholder(tf.float32, [None, 784])
        y_ = tf.placeholder(tf.float32, [None, 10])
        W = tf.Variable(tf.zeros([784, 10]))
        b = tf.Variable(tf.zeros([10]))
        y = tf.matmul(x, W) + b
        cross_entropy = -tf.reduce_sum(y_ * tf.log(y))
        train_step = tf.train.GradientDescentOptimizer(0.5).minimize(cross_entropy)
    """
    assert found(source) == [(9, "KL109"), (9, "KL401")]


def test_keras_loss_objects_applied_in_a_tape():
    source = """
        import tensorflow as tf

        head = tf.keras.layers.Dense(10, activation="softmax")
        loss_fn = tf.keras.losses.CategoricalCrossentropy(from_logits=True)
        with tf.GradientTape() as tape:
            loss = loss_fn(y, head(x))
        grads = tape.gradient(loss, head.trainable_variables)
    """
    assert found(source) == [(4, "KL107")]


def test_add_loss_term_of_a_layer():
    source = """
        import keras
        from keras import ops

        class Gate(keras.layers.Layer):
            def __init__(self):
                super().__init__()
                self.score = keras.layers.Dense(1, activation="relu")

            def call(self, x):
                weights = self.score(x)
                self.add_loss(-ops.mean(ops.log(weights)))
                return x * weights
    """
    assert found(source) == [(12, "KL109"), (12, "KL401")]  # the log of a relu output, and unguarded
    assert "in the term passed to add_loss()" in message(source, "KL401")


def test_graph_mode_keras_output_and_jax_grad():
    source = """
        import jax
        import jax.numpy as jnp
        import keras
        from keras import backend as K
        import tensorflow as tf

        def loss_fn(params, x, y):
            probs = jax.nn.softmax(jnp.dot(x, params["W"]))
            return -jnp.mean(jnp.sum(y * jnp.log(probs), axis=1))

        grads = jax.grad(loss_fn)(params, x, y)

        model = keras.models.Sequential([keras.layers.Dense(10, activation="softmax")])
        y_true = K.placeholder(shape=(None, 10))
        cost = -K.sum(y_true * K.log(model.output))
        updates = tf.compat.v1.train.AdamOptimizer().minimize(cost)
    """
    assert found(source) == [(10, "KL401"), (16, "KL401")]


def test_a_hand_written_softmax_is_unsafe_even_clipped_and_safe_shifted_by_its_max():
    source = """
        import tensorflow as tf

        def unstable_softmax(logits):
            logits = tf.clip_by_value(logits, -80.0, 80.0)
            total = tf.reduce_sum(tf.exp(logits), axis=1, keepdims=True)
            return tf.exp(logits) / total

        def stable_softmax(logits):
            shifted = logits - tf.reduce_max(logits, axis=1, keepdims=True)
            return tf.exp(shifted) / tf.reduce_sum(tf.exp(shifted), axis=1, keepdims=True)

        W = tf.Variable(tf.zeros([4, 3]))
        x = tf.compat.v1.placeholder(tf.float32, [None, 4])
        first = -tf.reduce_mean(tf.math.log(unstable_softmax(tf.matmul(x, W)) + 1e-7))
        second = -tf.reduce_mean(tf.math.log(stable_softmax(tf.matmul(x, W)) + 1e-7))
        train = tf.compat.v1.train.AdamOptimizer().minimize(first + second)
    """
    assert found(source) == [(6, "KL405"), (7, "KL405")]
