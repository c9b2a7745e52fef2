"""Issue 8: value ranges of the training data, loss-task fit, optimizer rules that know their context, the
false claims fixed (each with the program that showed it), and the Keras version a project targets."""

from __future__ import annotations

import textwrap

import libcst as cst
from clirun import kerlint, write

from kerlint.engine import LintSettings, lint_source
from kerlint.extract import extract_facts

SETTINGS = LintSettings.all_rules()


def found(source: str, minimum: int = 2, settings: LintSettings = SETTINGS) -> list[tuple[int, str]]:
    text = textwrap.dedent(source)
    return sorted((d.span.line, d.code) for d in lint_source(text, "t.py", settings) if d.severity >= minimum)


def messages(source: str, code: str) -> list[str]:
    return [d.message for d in lint_source(textwrap.dedent(source), "t.py", SETTINGS) if d.code == code]


def facts(source: str):
    return extract_facts(cst.parse_module(textwrap.dedent(source)), "t.py")


# --- 1. value ranges ------------------------------------------------------------------------------

def test_numpy_constructors_and_arithmetic_give_the_targets_range():
    source = """
    import numpy as np
    import keras

    x = np.linspace(-1, 1, 200)
    y = x**2 + 3
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(16, activation="relu"),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="sgd", loss="mse")
    model.fit(x, y, epochs=50)
    """
    assert found(source) == [(8, "KL106")]
    (message,) = messages(source, "KL106")
    assert "[0, 1]" in message and "y span [3, 4]" in message
    run = facts(source).models[0].runs[0]
    assert (run.inputs.low, run.inputs.high, run.inputs.rows) == (-1, 1, 200)


def test_scaled_labels_before_sparse_crossentropy_and_the_unchanged_labels():
    buggy = """
    import keras

    (x_train, y_train), (x_test, y_test) = keras.datasets.cifar10.load_data()
    x_train = x_train / 255.0
    y_train = y_train / 255.0
    model = keras.Sequential([keras.layers.Flatten(), keras.layers.Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x_train, y_train, epochs=5)
    """
    assert found(buggy) == [(6, "KL201")]
    assert "y_train / 255.0" in messages(buggy, "KL201")[0]
    assert found(buggy.replace("    y_train = y_train / 255.0\n", "")) == []


def test_unscaled_pixels_are_silent_behind_batch_normalization():
    source = """
    import keras

    (x_train, y_train), _ = keras.datasets.mnist.load_data()
    model = keras.Sequential([keras.layers.Flatten(), keras.layers.Dense(128){bn}, keras.layers.Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(x_train, y_train, epochs=5)
    """
    assert found(source.replace("{bn}", "")) == [(7, "KL501")]
    assert found(source.replace("{bn}", ", keras.layers.BatchNormalization()")) == []


def test_flow_from_directory_class_mode_gives_the_targets():
    source = """
    from keras.preprocessing.image import ImageDataGenerator
    import keras

    train = ImageDataGenerator(rescale=1 / 255).flow_from_directory("data/train", class_mode="{mode}")
    model = keras.Sequential([keras.layers.Flatten(), keras.layers.Dense(4, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(train, epochs=3)
    """
    assert found(source.replace("{mode}", "categorical")) == [(7, "KL111")]
    assert found(source.replace("{mode}", "sparse")) == []


def test_image_dataset_label_mode_gives_the_targets():
    source = """
    import keras

    train = keras.utils.image_dataset_from_directory("data/train", {mode}image_size=(64, 64)).cache()
    model = keras.Sequential([keras.layers.Rescaling(1 / 255), keras.layers.Flatten(), keras.layers.Dense(5, activation="softmax")])
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    model.fit(train, epochs=3)
    """
    assert found(source.replace("{mode}", "")) == [(6, "KL111")]  # integer labels by default: the sparse loss
    assert found(source.replace("{mode}", 'label_mode="categorical", ')) == []


# --- 2. the loss fits the task --------------------------------------------------------------------

def test_mse_on_a_softmax_head_with_one_hot_targets():
    source = """
    import numpy as np
    import keras

    x = np.random.rand(1000, 8)
    y = keras.utils.to_categorical(np.random.randint(0, 3, 1000), 3)
    model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(16, activation="relu"),
                              keras.layers.Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss="{loss}", metrics=["accuracy"])
    model.fit(x, y, epochs=10)
    """
    assert found(source.replace("{loss}", "mean_squared_error")) == [(9, "KL111")]
    assert "use categorical_crossentropy" in messages(source.replace("{loss}", "mse"), "KL111")[0]
    assert found(source.replace("{loss}", "categorical_crossentropy")) == []


# --- 3. optimizer context -------------------------------------------------------------------------

def test_sgd_momentum_textbook_cnn_is_silent_but_a_ctc_model_is_not():
    cnn = """
    import keras

    (x_train, y_train), _ = keras.datasets.cifar10.load_data()
    x_train = x_train.astype("float32") / 255
    model = keras.Sequential([keras.layers.Conv2D(32, 3, activation="relu"), keras.layers.Flatten(),
                              keras.layers.Dense(10, activation="softmax")])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.05, momentum=0.9), loss="sparse_categorical_crossentropy")
    model.fit(x_train, y_train, epochs=10)
    """
    assert found(cnn) == []
    ctc = """
    from keras import backend as K
    from keras.optimizers import SGD

    def ctc_lambda_func(args):
        y_pred, labels, input_length, label_length = args
        return K.ctc_batch_cost(labels, y_pred, input_length, label_length)

    sgd = SGD(learning_rate=0.02, momentum=0.9, nesterov=True)
    model.compile(loss={"ctc": lambda y_true, y_pred: y_pred}, optimizer=sgd)
    """
    assert found(ctc) == [(9, "KL301")]
    assert "CTC loss (line 7)" in messages(ctc, "KL301")[0]


def test_learning_rate_limit_scales_with_fan_in():
    source = """
    import keras

    model = keras.Sequential([keras.Input(({n},)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.1), loss="mse")
    """
    assert found(source.replace("{n}", "10")) == []
    assert found(source.replace("{n}", "784")) == [(5, "KL303")]
    assert "784 inputs" in messages(source.replace("{n}", "784"), "KL303")[0]


def test_adam_epsilon_counts_optimizer_steps_not_epochs():
    source = """
    import numpy as np
    import keras

    x = np.random.rand({rows}, 20)
    model.compile(optimizer=keras.optimizers.Adam(0.0001), loss="binary_crossentropy")
    model.fit(x, np.random.randint(0, 2, {rows}), batch_size=32, epochs=1500)
    """
    assert found(source.replace("{rows}", "64")) == []  # 1500 epochs of 2 steps: 3,000 steps
    assert found(source.replace("{rows}", "32000")) == [(6, "KL302")]  # 1,500,000 steps
    assert "1,500,000 optimizer steps" in messages(source.replace("{rows}", "32000"), "KL302")[0]


# --- 4. the false claims, fixed -------------------------------------------------------------------

def test_softmax_over_a_flattened_per_position_tensor_is_not_one_unit():
    source = """
    from tensorflow import keras
    from tensorflow.keras import layers

    embedding = layers.Input(shape=(384, 768))
    start_logits = layers.Dense(1, use_bias=False)(embedding)
    start_logits = layers.Flatten()(start_logits)
    start_probs = layers.Activation(keras.activations.softmax)(start_logits)
    model = keras.Model(inputs=embedding, outputs=start_probs)
    """
    assert found(source) == []
    assert found(source.replace("    start_logits = layers.Flatten()(start_logits)\n", "")) == [(7, "KL103")]


def test_a_parameter_every_call_passes_is_not_its_default():
    source = """
    import numpy as np
    from keras.models import Sequential
    from keras.layers import Dense, Activation

    def create_network(dense_units=16, num_classes=1):
        model = Sequential()
        model.add(Dense(dense_units, input_shape=(100,)))
        model.add(Dense(num_classes))
        model.add(Activation('softmax'))
        model.compile(loss='categorical_crossentropy', optimizer='adam')
        return model

    num_classes = np.max(y_train) + 1
    model1 = create_network(num_classes=num_classes, dense_units=16)
    model2 = create_network(num_classes=num_classes, dense_units=32)
    """
    assert found(source) == []
    assert found(source.replace("num_classes=num_classes, ", "")) == [(10, "KL103")]


def test_linear_activation_after_softmax_is_a_mixed_precision_cast():
    source = """
    import keras
    from keras import layers

    inputs = keras.Input((32,))
    x = layers.Dense(10)(inputs)
    x = layers.Activation("softmax")(x)
    outputs = layers.Activation("linear", dtype="float32")(x)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    """
    assert found(source) == []
    (output,) = facts(source).models[0].outputs
    assert output.activation.name == "softmax" and output.activation.units == 10


def test_metrics_a_subclassed_model_reports_are_logged_keys():
    source = """
    import keras

    class GAN(keras.Model):
        @property
        def metrics(self):
            return [self.g_loss_tracker, self.kid]

        def test_step(self, images):
            self.kid.update_state(images, self.generate(images))
            return {m.name: m.result() for m in self.metrics}

    model = GAN()
    model.compile(optimizer="adam")
    checkpoint = keras.callbacks.ModelCheckpoint("w.weights.h5", monitor="val_kid", save_best_only=True)
    model.fit(data, validation_data=val, callbacks=[checkpoint])
    """
    assert found(source) == []
    plain = """
    import keras

    class Net(keras.Model):
        def call(self, x):
            return x

    model = Net()
    model.compile(optimizer="adam")
    checkpoint = keras.callbacks.ModelCheckpoint("w.weights.h5", monitor="val_kid", save_best_only=True)
    model.fit(data, validation_data=val, callbacks=[checkpoint])
    """
    assert found(plain) == [(10, "KL601")]


def test_a_module_name_read_in_a_function_has_its_value_at_the_call():
    source = """
    import keras

    rate = 0.5

    def make_optimizer():
        return keras.optimizers.Adam(learning_rate=rate)

    optimizer = make_optimizer()
    rate = 0.001
    model.compile(optimizer=optimizer, loss="mse")
    """
    assert found(source) == [(7, "KL303")]
    assert "0.5" in messages(source, "KL303")[0]


# --- 5. target-keras ------------------------------------------------------------------------------

COMPAT = """\
import keras
from keras.optimizers import Adam

model = keras.Sequential([keras.layers.Dense(10, activation="softmax")])
model.compile(loss="categorical_crossentropy", optimizer=Adam(lr=1e-3), metrics=["accuracy"])
model.fit(x, y, validation_split=0.1,
          callbacks=[keras.callbacks.ModelCheckpoint("best.h5", monitor="val_acc", save_best_only=True)])
"""


def _codes(tmp_path, files):
    write(tmp_path, files)
    result = kerlint("check", "--output-format", "concise", "--exit-zero", "train.py", cwd=tmp_path)
    return sorted({line.split()[1] for line in result.lines if line.startswith("train.py:")})


def test_target_keras_inferred_from_the_declared_dependencies(tmp_path):
    assert _codes(tmp_path / "k3", {"train.py": COMPAT, "requirements.txt": "tensorflow>=2.16\n"}) == ["KL601", "KL701"]
    assert _codes(tmp_path / "k2", {"train.py": COMPAT, "requirements.txt": "tensorflow==2.15.1\nnumpy\n"}) == []
    pinned = '[project]\nname = "p"\ndependencies = ["keras<3", "numpy"]\n'
    assert _codes(tmp_path / "pyproject2", {"train.py": COMPAT, "pyproject.toml": pinned}) == []
    # Nothing declared: Keras 3, the default.
    assert _codes(tmp_path / "none", {"train.py": COMPAT}) == ["KL601", "KL701"]
    # Keras 2 with learning_rate= (the Keras 2.3 spelling): 2.3 logs 'val_accuracy', so 'val_acc' is wrong.
    modern = COMPAT.replace("Adam(lr=1e-3)", "Adam(learning_rate=1e-3)")
    assert _codes(tmp_path / "k23", {"train.py": modern, "requirements.txt": "keras==2.4.3\n"}) == ["KL601"]


def test_explicit_target_keras_wins(tmp_path):
    table = '[project]\nname = "p"\ndependencies = ["keras<3"]\n\n[tool.kerlint]\ntarget-keras = "3"\n'
    assert _codes(tmp_path / "a", {"train.py": COMPAT, "pyproject.toml": table}) == ["KL601", "KL701"]
    table = '[tool.kerlint]\ntarget-keras = "2"\n'
    assert _codes(tmp_path / "b", {"train.py": COMPAT, "pyproject.toml": table}) == []


def test_a_tf_keras_import_targets_keras_2(tmp_path):
    source = COMPAT.replace("import keras\nfrom keras.optimizers", "import tf_keras as keras\nfrom tf_keras.optimizers")
    # No compat notes; 'val_acc' stays wrong: tf_keras logs metrics=['accuracy'] as 'val_accuracy'.
    assert _codes(tmp_path, {"train.py": source, "requirements.txt": "tensorflow>=2.16\n"}) == ["KL601"]


def test_bad_target_keras_is_a_configuration_error(tmp_path):
    write(tmp_path, {"pyproject.toml": '[tool.kerlint]\ntarget-keras = "4"\n', "train.py": COMPAT})
    result = kerlint("check", "train.py", cwd=tmp_path)
    assert result.code == 2 and "target-keras" in result.err and "expected \"2\" or \"3\"" in result.err


def test_label_encodings_must_match_the_crossentropy_variant():
    source = """
    import pandas as pd
    import keras
    from sklearn.preprocessing import LabelEncoder

    df = pd.read_csv("iris.csv")
    labels = {encode}
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss="{loss}")
    model.fit(df.values, labels, epochs=50)
    """
    integer = 'LabelEncoder().fit_transform(df["species"])'
    one_hot = 'pd.get_dummies(df["species"]).values'
    assert found(source.format(encode=integer, loss="categorical_crossentropy")) == [(9, "KL111")]
    assert found(source.format(encode=one_hot, loss="sparse_categorical_crossentropy")) == [(9, "KL111")]
    assert found(source.format(encode=integer, loss="sparse_categorical_crossentropy")) == []
    assert found(source.format(encode=one_hot, loss="categorical_crossentropy")) == []
