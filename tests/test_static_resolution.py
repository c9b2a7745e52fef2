"""Static resolution across the dialects people write: every test is a small real-looking program and the
exact findings kerlint must give on it."""

from __future__ import annotations

import textwrap

import libcst as cst

from kerlint.engine import LintSettings, lint_source
from kerlint.extract import extract_facts

SETTINGS = LintSettings.all_rules()


def found(source: str, minimum: int = 2) -> list[tuple[int, str]]:
    text = textwrap.dedent(source)
    return sorted((d.span.line, d.code) for d in lint_source(text, "t.py", SETTINGS) if d.severity >= minimum)


def facts(source: str):
    return extract_facts(cst.parse_module(textwrap.dedent(source)), "t.py")


def test_class_count_and_optimizer_through_a_function_call_site():
    source = """
    import keras

    def build(num_classes, optimizer, activation):
        model = keras.Sequential([keras.layers.Dense(64, activation="relu"),
                                  keras.layers.Dense(num_classes, activation=activation)])
        model.compile(optimizer=optimizer, loss="categorical_crossentropy")
        return model

    model = build(1, keras.optimizers.SGD(learning_rate=0.5, momentum=0.9), "softmax")
    """
    assert found(source) == [(6, "KL103"), (10, "KL301")]
    model = facts(source).models[0]
    assert model.outputs[0].activation.units == 1
    assert model.compile.optimizer.name == "SGD"


def test_parameter_default_used_when_the_call_site_omits_it():
    source = """
    from tensorflow.keras import layers, models

    def head(x, activation='tanh'):
        return layers.Dense(3, activation=activation)(x)

    inputs = layers.Input((8,))
    model = models.Model(inputs, head(inputs))
    model.compile(loss='sparse_categorical_crossentropy', optimizer='adam')
    """
    assert found(source) == [(5, "KL101")]


def test_kwargs_dict_expansion_feeds_the_optimizer():
    source = """
    import tensorflow as tf
    opt_args = {"learning_rate": 0.3, "momentum": 0.95}
    opt = tf.keras.optimizers.SGD(**opt_args)
    """
    assert found(source) == [(4, "KL301")]


def test_keras1_spellings_resolve():
    source = """
    from keras.models import Sequential
    from keras.layers.core import Dense, Activation
    from keras.optimizers import SGD

    model = Sequential()
    model.add(Dense(output_dim=1, input_dim=20))
    model.add(Activation('softmax'))
    model.compile(loss='binary_crossentropy', optimizer=SGD(lr=0.5, momentum=0.9))
    model.fit(X, y, nb_epoch=10)
    """
    assert found(source) == [(8, "KL103"), (9, "KL301")]
    assert found(source, minimum=1) == [(3, "KL704"), (8, "KL103"), (9, "KL301"), (9, "KL701"), (10, "KL702")]


def test_functional_multi_output_pairs_losses_in_order():
    source = """
    import keras
    inputs = keras.Input((16,))
    kind = keras.layers.Dense(4, activation="relu", name="kind")(inputs)
    score = keras.layers.Dense(1, activation="sigmoid", name="score")(inputs)
    model = keras.Model(inputs=inputs, outputs=[kind, score])
    model.compile(optimizer="adam", loss=["categorical_crossentropy", "binary_crossentropy"])
    """
    assert found(source) == [(4, "KL101")]


def test_subclassed_model_output_comes_from_call():
    source = """
    import keras

    class Classifier(keras.Model):
        def __init__(self):
            super().__init__()
            self.hidden = keras.layers.Dense(32, activation="relu")
            self.out = keras.layers.Dense(10, activation="relu")

        def call(self, x):
            return self.out(self.hidden(x))

    model = Classifier()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    """
    assert found(source) == [(8, "KL101")]


def test_activation_functions_and_layers_count_but_names_do_not():
    source = """
    import tensorflow as tf
    from tensorflow.keras import layers
    a = tf.keras.Sequential([layers.Dense(10, activation=tf.nn.relu, name="softmax")])
    a.compile(loss="categorical_crossentropy", optimizer="adam")
    b = tf.keras.Sequential([layers.Dense(10, name="relu_layer"), layers.Dropout(0.5), layers.Softmax()])
    b.compile(loss="categorical_crossentropy", optimizer="adam")
    """
    assert found(source) == [(4, "KL101")]


def test_model_built_by_a_helper_function_is_followed():
    source = """
    from keras.layers import Input, Dense
    from keras.models import Model

    def make_model():
        inp = Input((4,))
        out = Dense(2, activation='elu')(inp)
        return Model(inp, out)

    net = make_model()
    net.compile(optimizer='rmsprop', loss='categorical_crossentropy')
    """
    assert found(source) == [(7, "KL101")]


def test_unresolvable_values_stay_silent():
    source = """
    import keras
    model = keras.models.load_model(path)
    model.compile(optimizer=make_optimizer(), loss=pick_loss())
    model.fit(x, y, epochs=epochs, callbacks=cbs)
    layer = keras.layers.Dense(n, activation=config["activation"])
    """
    assert found(source) == []


def test_standardized_targets_before_binary_crossentropy():
    source = """
    import numpy as np
    import keras
    y = np.load("y.npy")
    mean, std = y.mean(), y.std()
    y -= mean
    y /= std
    model = keras.Sequential([keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy")
    model.fit(np.load("x.npy"), y, epochs=2)
    """
    assert found(source) == [(7, "KL201")]  # the line that divides by the std


def test_image_generator_flow_from_directory_without_rescale():
    source = """
    from tensorflow.keras.preprocessing.image import ImageDataGenerator
    import tensorflow as tf
    gen = ImageDataGenerator(rotation_range=10)
    train = gen.flow_from_directory("train/", target_size=(32, 32))
    model = tf.keras.Sequential([tf.keras.layers.Conv2D(8, 3), tf.keras.layers.Flatten(), tf.keras.layers.Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    model.fit(train, epochs=3)
    """
    assert found(source) == [(8, "KL501")]


def test_cifar_scaled_in_place_is_fine():
    source = """
    import keras
    (x_train, y_train), _ = keras.datasets.cifar10.load_data()
    x_train = x_train.astype("float32")
    x_train /= 255
    model = keras.Sequential([keras.layers.Flatten(), keras.layers.Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(x_train, y_train)
    """
    assert found(source) == []


def test_val_monitor_without_validation_data():
    source = """
    import keras
    model.compile(optimizer="adam", loss="mse")
    stop = keras.callbacks.EarlyStopping(patience=2)
    model.fit(x, y, epochs=50, callbacks=[stop])
    """
    assert found(source) == [(4, "KL601")]


def test_a_long_flat_expression_does_not_hide_the_other_findings():
    source = "import keras\n" \
        "model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation='relu')])\n" \
        "model.compile(loss='categorical_crossentropy', optimizer='adam')\n" \
        "FEATURES = " + " + ".join(["a"] * 800) + "\n"
    assert found(source) == [(2, "KL101")]


def test_an_optimizer_compile_does_not_use_is_not_reported():
    source = """
    from keras.optimizers import SGD
    sgd = SGD(learning_rate=0.5, momentum=0.9)
    model.compile(loss="mse", optimizer="adam")
    """
    assert found(source) == []


def test_checkpoint_saving_every_epoch_does_not_read_monitor():
    source = """
    import keras
    model.compile(optimizer="adam", loss="mse")
    model.fit(x, y, callbacks=[keras.callbacks.ModelCheckpoint("w.keras", monitor="val_acc")])
    """
    assert found(source) == []


def test_backend_replacements_name_what_keras3_has():
    source = """
    from keras import backend as K
    def loss(y_true, y_pred):
        return K.batch_dot(y_true, K.permute_dimensions(y_pred, (0, 2, 1)))
    """
    messages = [d.message for d in lint_source(textwrap.dedent(source), "t.py", SETTINGS) if d.code == "KL705"]
    assert messages == ["K.batch_dot() is not in Keras 3's keras.backend: use keras.ops.einsum / keras.ops.matmul",
                        "K.permute_dimensions() is not in Keras 3's keras.backend: use keras.ops.transpose()"]
