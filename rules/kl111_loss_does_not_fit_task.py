from kerlint.diagnostic import Related, Severity
from kerlint.keras_api import BINARY_CE, REGRESSION_LOSSES
from kerlint.rule import Finding, Rule, head_or_loss

PROBABILITY_HEADS = ("softmax", "sigmoid")


def class_count(targets) -> int | None:
    """How many classes the targets encode, when evident."""
    if targets is None:
        return None
    if targets.classes is not None:
        return targets.classes
    if targets.integer and targets.low is not None and targets.low >= 0 and targets.high is not None and targets.high < 1e6:
        return int(targets.high) + 1
    return None


class LossDoesNotFitTask(Rule):
    code = "KL111"
    name = "loss-does-not-fit-task"
    tag = "activation-loss"
    severity = Severity.ERROR
    summary = "The loss does not fit the task the output head and the labels describe."
    what_it_does = (
        "Finds a loss that contradicts the task: a softmax/sigmoid classification head trained with a "
        "regression loss (mse, mae, ...) on one-hot or 0/1 targets; a softmax over 3 or more classes trained "
        "with binary_crossentropy; a one-unit sigmoid head for labels with more than two classes (when the "
        "class count is evident: a dataset's labels, `to_categorical(y, n)`, `randint(0, n)`); integer class "
        "labels given to categorical_crossentropy, and one-hot targets given to sparse_categorical_crossentropy. "
        "In code that applies the loss itself (TF1 graph code, a GradientTape loop), a regression loss "
        "(`tf.losses.mean_squared_error`, `keras.losses.mse`, `MeanSquaredError()`) fitting a softmax output to "
        "data."
    )
    why_bad = (
        "MSE on probabilities has vanishing gradients exactly where the prediction is confidently wrong (the "
        "softmax/sigmoid saturates), so classifiers learn slowly or stall. binary_crossentropy over a softmax "
        "treats each class as an independent yes/no question, and `accuracy` then reports binary accuracy "
        "averaged over the classes — a meaningless, inflated number (0.9 for 10 classes by predicting nothing). "
        "A single sigmoid unit can only separate two classes. Integer labels with categorical_crossentropy (or "
        "one-hot with the sparse loss) do not match the output's shape: training fails or learns the wrong thing."
    )
    fix = (
        "Match the loss to the task: categorical_crossentropy (one-hot) or sparse_categorical_crossentropy "
        "(integer labels) for a softmax over classes, binary_crossentropy for one sigmoid unit on 0/1 labels, "
        "Dense(n_classes, activation='softmax') for more than two classes."
    )
    references = ("https://keras.io/api/losses/probabilistic_losses/",)
    invalid = (
        """\
import keras

(x_train, y_train), _ = keras.datasets.mnist.load_data()
y_train = keras.utils.to_categorical(y_train, 10)
model = keras.Sequential([keras.layers.Rescaling(1 / 255), keras.layers.Flatten(), keras.layers.Dense(10, activation="softmax")])
model.compile(optimizer="adam", loss="mse", metrics=["accuracy"])  # expect: KL111
model.fit(x_train, y_train, epochs=5)
""",
        """\
import keras

model = keras.Sequential([keras.Input((20,)), keras.layers.Dense(5, activation="softmax")])
model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])  # expect: KL111
""",
        """\
import keras

(x_train, y_train), _ = keras.datasets.cifar10.load_data()
model = keras.Sequential([keras.layers.Rescaling(1 / 255), keras.layers.Flatten(), keras.layers.Dense(1, activation="sigmoid")])  # expect: KL111
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
model.fit(x_train, y_train, epochs=5)
""",
        """\
import keras

(x_train, y_train), _ = keras.datasets.mnist.load_data()
model = keras.Sequential([keras.layers.Rescaling(1 / 255), keras.layers.Flatten(), keras.layers.Dense(10, activation="softmax")])
model.compile(optimizer="adam", loss="categorical_crossentropy")  # expect: KL111
model.fit(x_train, y_train, epochs=5)
""",
        """\
import tensorflow as tf

images = tf.compat.v1.placeholder(tf.float32, [None, 784])
onehot = tf.compat.v1.placeholder(tf.float32, [None, 10])
hidden = tf.compat.v1.layers.dense(images, 128, activation=tf.nn.relu)
probs = tf.compat.v1.layers.dense(hidden, 10, activation=tf.nn.softmax)
loss = tf.compat.v1.losses.mean_squared_error(onehot, probs)  # expect: KL111
train_op = tf.compat.v1.train.AdamOptimizer(1e-3).minimize(loss)
""",
        """\
import tensorflow as tf

head = tf.keras.layers.Dense(10, activation="softmax")
mse = tf.keras.losses.MeanSquaredError()

def train_step(features, onehot, optimizer):
    with tf.GradientTape() as tape:
        loss = mse(onehot, head(features))  # expect: KL111
    grads = tape.gradient(loss, head.trainable_variables)
    optimizer.apply_gradients(zip(grads, head.trainable_variables))
""",
    )
    valid = (
        """\
import keras

(x_train, y_train), _ = keras.datasets.mnist.load_data()
y_train = keras.utils.to_categorical(y_train, 10)
model = keras.Sequential([keras.layers.Rescaling(1 / 255), keras.layers.Flatten(), keras.layers.Dense(10, activation="softmax")])
model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
model.fit(x_train, y_train, epochs=5)
""",
        """\
import keras

model = keras.Sequential([keras.Input((20,)), keras.layers.Dense(5, activation="softmax")])
model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
""",
        """\
import keras

(x_train, y_train), _ = keras.datasets.cifar10.load_data()
model = keras.Sequential([keras.layers.Rescaling(1 / 255), keras.layers.Flatten(), keras.layers.Dense(10, activation="softmax")])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
model.fit(x_train, y_train, epochs=5)
""",
        """\
import numpy as np
import keras

x = np.linspace(-1, 1, 200)
model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(16, activation="tanh"), keras.layers.Dense(1, activation="sigmoid")])
model.compile(optimizer="adam", loss="mse")
model.fit(x, (x + 1) / 2, epochs=5)
""",
        """\
import tensorflow as tf

images = tf.compat.v1.placeholder(tf.float32, [None, 784])
onehot = tf.compat.v1.placeholder(tf.float32, [None, 10])
hidden = tf.compat.v1.layers.dense(images, 128, activation=tf.nn.relu)
logits = tf.compat.v1.layers.dense(hidden, 10)
loss = tf.compat.v1.losses.softmax_cross_entropy(onehot, logits)
train_op = tf.compat.v1.train.AdamOptimizer(1e-3).minimize(loss)
""",
        """\
import tensorflow as tf

head = tf.keras.layers.Dense(10, activation="softmax")
cce = tf.keras.losses.CategoricalCrossentropy()

def train_step(features, onehot, optimizer):
    with tf.GradientTape() as tape:
        loss = cce(onehot, head(features))
    grads = tape.gradient(loss, head.trainable_variables)
    optimizer.apply_gradients(zip(grads, head.trainable_variables))
""",
        """\
import tensorflow as tf

teacher = tf.keras.layers.Dense(10, activation="softmax")
student = tf.keras.layers.Dense(10, activation="softmax")

def distill_step(features, optimizer):
    with tf.GradientTape() as tape:
        loss = tf.keras.losses.mean_squared_error(tf.stop_gradient(teacher(features)), student(features))
    grads = tape.gradient(loss, student.trainable_variables)
    optimizer.apply_gradients(zip(grads, student.trainable_variables))
""",
    )

    def check(self, facts, options):
        for model, output, loss in facts.output_losses():
            activation = output.activation
            compiled = facts.compile_of(model, loss)
            head, related = head_or_loss(model, activation.span, loss, f"{activation.name} output chosen here",
                                         f"loss {loss.text} set here")
            if activation.name == "softmax" and (activation.units or 0) >= 3 and loss.name in BINARY_CE:
                accuracy = (", and 'accuracy' becomes binary accuracy averaged over the classes (high and meaningless)"
                            if _tracks_accuracy(compiled) else "")
                yield Finding(
                    loss.span,
                    f"{loss.text} on {activation.layer}, a softmax over {activation.units} classes: binary crossentropy "
                    f"scores each class as a separate yes/no{accuracy}; use categorical_crossentropy (one-hot labels) or "
                    "sparse_categorical_crossentropy (integer labels)",
                    related=(Related(activation.span, "softmax set here"),),
                )
                continue
            runs = model.runs_of(compiled) if compiled is not None else model.runs
            for run in runs:
                finding = self._run_finding(head, activation, loss, run.targets, related)
                if finding is not None:
                    yield finding
                    break
            else:
                known = any(run.targets is not None and run.targets.low is not None for run in runs)
                if activation.name == "softmax" and (activation.units or 0) >= 2 and loss.name in REGRESSION_LOSSES \
                        and not known:
                    yield self._regression_on_classes(activation, loss, None)
        for loss in facts.loss_calls:  # a regression loss applied in code (TF1 graph, GradientTape)
            activation = loss.activation
            if loss.expects == "values" and activation.name == "softmax" and (activation.units or 2) >= 2:
                yield self._regression_on_classes(activation, loss, None)

    def _run_finding(self, head, activation, loss, targets, related):
        if targets is None:
            return None
        classes = class_count(targets)
        if activation.name in PROBABILITY_HEADS and loss.name in REGRESSION_LOSSES and (
                targets.one_hot or (targets.integer and targets.low == 0 and targets.high == 1)):
            return self._regression_on_classes(activation, loss, targets)
        if (activation.name == "sigmoid" and activation.units == 1 and classes is not None and classes > 2
                and loss.name not in BINARY_CE and loss.name != "categorical_crossentropy"):
            return Finding(
                head,
                f"{activation.layer} is one sigmoid unit, but the labels {targets.text} have {classes} classes: one "
                f"unit can only separate two; use Dense({classes}, activation='softmax') with "
                "sparse_categorical_crossentropy (integer labels) or categorical_crossentropy (one-hot)",
                related=related + (Related(targets.span, "labels fed here"),),
            )
        unknown_count = targets.high is None or targets.high == float("inf")
        class_indices = (classes is not None and classes > 2) or (targets.low == 0 and unknown_count)
        if loss.name == "categorical_crossentropy" and (activation.units or 0) > 1 and targets.integer \
                and not targets.one_hot and class_indices:
            span = f" (0..{classes - 1})" if classes else ""
            return Finding(
                loss.span,
                f"{loss.text} expects one-hot targets, but {targets.text} are integer class labels{span}: "
                "use sparse_categorical_crossentropy, or one-hot encode them with keras.utils.to_categorical",
                related=(Related(targets.span, "integer labels fed here"),),
            )
        if loss.name == "sparse_categorical_crossentropy" and targets.one_hot:
            return Finding(
                loss.span,
                f"{loss.text} expects integer class labels, but {targets.text} are one-hot rows: use "
                "categorical_crossentropy, or pass the integer labels",
                related=(Related(targets.span, "one-hot targets fed here"),),
            )
        return None

    @staticmethod
    def _regression_on_classes(activation, loss, targets):
        kind = "softmax" if activation.name == "softmax" else "sigmoid"
        better = "categorical_crossentropy" if kind == "softmax" else "binary_crossentropy"
        what = f" on {'one-hot' if targets.one_hot else '0/1'} targets {targets.text}" if targets is not None else ""
        return Finding(
            loss.span,
            f"{loss.text} trains the {kind} classification head {activation.layer}{what}: a regression loss on "
            f"probabilities has vanishing gradients where the prediction is confidently wrong; use {better}",
            related=(Related(activation.span, f"{kind} set here"),),
        )


def _tracks_accuracy(compiled) -> bool:
    """The compile() logs an accuracy Keras resolves by the loss (or its metrics are unknown)."""
    if compiled is None or compiled.metrics is None:
        return True
    return any(metric.name in ("accuracy", "acc") for metric in compiled.metrics)
