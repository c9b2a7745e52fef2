from kerlint.diagnostic import Related, Severity
from kerlint.rule import Finding, Rule

# Why each activation's output is not a probability.
REASONS = {
    "linear": "a linear output is any real number: log of a negative value is NaN, of 0 is -inf, and values above 1 "
              "make the loss negative",
    "relu": "a relu output is 0 for every negative input, where log(0) = -inf, and exceeds 1 without bound",
    "relu6": "a relu6 output is 0 for every negative input, where log(0) = -inf, and reaches 6",
    "leaky_relu": "a leaky_relu output is negative for negative inputs: log of it is NaN",
    "elu": "an elu output is negative for negative inputs: log of it is NaN",
    "selu": "a selu output is negative for negative inputs: log of it is NaN",
    "tanh": "a tanh output lies in [-1, 1]: log of a negative value is NaN",
    "softplus": "a softplus output is positive but unbounded: values above 1 make the loss negative",
    "exponential": "an exp output is unbounded: values above 1 make the loss negative, and it overflows",
    "gelu": "a gelu output can be negative: log of it is NaN",
    "silu": "a silu output can be negative: log of it is NaN",
    "log_softmax": "a log_softmax output is already a log-probability (<= 0): its log is NaN",
}
ONE_UNIT_SOFTMAX = "a softmax over 1 unit is 1.0 for every input, so the loss and its gradients are constant"
# A categorical crossentropy over probabilities divides them by their sum before the log: sigmoid units, each in
# (0, 1) but not summing to 1, are rescaled and each saturates on its own.
CATEGORICAL_OPS = frozenset({"categorical_crossentropy", "sparse_categorical_crossentropy"})
SIGMOID_UNITS = ("{units} sigmoid units don't sum to 1: the loss rescales them by their sum, so each unit saturates on "
                 "its own and gradients vanish (for multi-label targets use binary_crossentropy)")


class UnnormalizedOutputWithProbabilityLoss(Rule):
    code = "KL109"
    name = "unnormalized-output-with-probability-loss"
    tag = "activation-loss"
    severity = Severity.ERROR
    summary = "A crossentropy computed in code takes probabilities, but is given a linear/relu/... output."
    what_it_does = (
        "Finds crossentropies computed in code that expect probabilities — `tf.losses.log_loss` "
        "(`tf.compat.v1.losses`), Keras loss functions or objects applied to tensors without `from_logits=True` "
        "(`keras.losses.categorical_crossentropy(y, p)`, `keras.ops.binary_crossentropy`), and the `log(p)` of a "
        "hand-written `-sum(y * log(p))` in a loss that is differentiated (`minimize()`, `tape.gradient`, "
        "`add_loss`) — whose prediction comes out of a layer or op with no softmax/sigmoid: "
        "`tf.matmul(x, W) + b`, `tf.layers.dense(h, 10)` (linear by default), `tf.nn.relu(...)`, "
        "`Dense(n)(h)`; `ctc_batch_cost` given such an output (through a `Lambda` layer's inputs); those given a softmax over a single unit; and Keras' categorical crossentropies given "
        "several sigmoid units (a model's output, as `model(x)` or a `compute_loss` override's `y_pred`)."
    )
    why_bad = (
        "A crossentropy over probabilities takes the log of the prediction. An output that is not a "
        "probability makes that log NaN (negative values), -inf (zeros) or makes the loss negative (values "
        "above 1): the loss turns NaN within a few steps, or decreases without the model learning anything. "
        "A softmax over one unit is always 1.0, which leaves nothing to learn."
    )
    fix = (
        "Compute the loss from the logits with the op that applies softmax/sigmoid itself "
        "(`tf.nn.softmax_cross_entropy_with_logits`, `tf.nn.sigmoid_cross_entropy_with_logits`, "
        "`tf.losses.sigmoid_cross_entropy`, or `from_logits=True`), or add a softmax (several classes) / "
        "sigmoid (one unit, binary) to the output."
    )
    references = (
        "https://www.tensorflow.org/api_docs/python/tf/compat/v1/losses/log_loss",
        "https://www.tensorflow.org/api_docs/python/tf/nn/softmax_cross_entropy_with_logits",
    )
    invalid = (
        """\
import tensorflow as tf

def network(images):
    hidden = tf.compat.v1.layers.dense(images, 256, activation=tf.nn.relu)
    return tf.compat.v1.layers.dense(hidden, 10)

images = tf.compat.v1.placeholder(tf.float32, [None, 784])
onehot = tf.compat.v1.placeholder(tf.float32, [None, 10])
scores = network(images)
loss = tf.compat.v1.losses.log_loss(onehot, scores)  # expect: KL109
train_op = tf.compat.v1.train.AdamOptimizer(1e-3).minimize(loss)
""",
        """\
import tensorflow as tf

W = tf.Variable(tf.random.normal([784, 10]))
b = tf.Variable(tf.zeros([10]))

def step(x, y, optimizer):
    with tf.GradientTape() as tape:
        out = tf.matmul(x, W) + b
        loss = -tf.reduce_mean(tf.reduce_sum(y * tf.math.log(out + 1e-9), axis=1))  # expect: KL109
    grads = tape.gradient(loss, [W, b])
    optimizer.apply_gradients(zip(grads, [W, b]))
""",
        """\
import keras
from keras import ops

def objective(labels, hidden):
    scores = keras.layers.Dense(4)(hidden)
    return ops.mean(ops.categorical_crossentropy(labels, scores))  # expect: KL109
""",
        """\
import keras

class Classifier(keras.Model):
    def __init__(self):
        super().__init__()
        self.head = keras.layers.Dense(6, activation="sigmoid")

    def call(self, x):
        return self.head(x)

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        return keras.losses.categorical_crossentropy(y, y_pred)  # expect: KL109

model = Classifier()
model.compile(optimizer="adam")
""",
        """\
from keras import backend as K
from keras.layers import Input, LSTM, Dense, Lambda
from keras.models import Model

def ctc_cost(args):
    y_pred, labels, input_length, label_length = args
    return K.ctc_batch_cost(labels, y_pred, input_length, label_length)  # expect: KL109

frames = Input((32, 64))
y_pred = Dense(37)(LSTM(128, return_sequences=True)(frames))
labels, input_length, label_length = Input((8,)), Input((1,)), Input((1,))
loss_out = Lambda(ctc_cost, output_shape=(1,))([y_pred, labels, input_length, label_length])
model = Model([frames, labels, input_length, label_length], loss_out)
model.compile(optimizer="adam", loss=lambda y_true, y_pred: y_pred)
""",
    )
    valid = (
        """\
import tensorflow as tf

def network(images):
    hidden = tf.compat.v1.layers.dense(images, 256, activation=tf.nn.relu)
    return tf.compat.v1.layers.dense(hidden, 10)

images = tf.compat.v1.placeholder(tf.float32, [None, 784])
onehot = tf.compat.v1.placeholder(tf.float32, [None, 10])
scores = network(images)
loss = tf.compat.v1.losses.softmax_cross_entropy(onehot, scores)
train_op = tf.compat.v1.train.AdamOptimizer(1e-3).minimize(loss)
""",
        """\
import tensorflow as tf

W = tf.Variable(tf.random.normal([784, 10]))
b = tf.Variable(tf.zeros([10]))

def step(x, y, optimizer):
    with tf.GradientTape() as tape:
        out = tf.matmul(x, W) + b
        loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=out))
    grads = tape.gradient(loss, [W, b])
    optimizer.apply_gradients(zip(grads, [W, b]))
""",
        """\
import keras
from keras import ops

def objective(labels, hidden):
    scores = keras.layers.Dense(4, activation="softmax")(hidden)
    return ops.mean(ops.categorical_crossentropy(labels, scores))
""",
        """\
import keras

class Classifier(keras.Model):
    def __init__(self):
        super().__init__()
        self.head = keras.layers.Dense(6, activation="sigmoid")

    def call(self, x):
        return self.head(x)

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        return keras.losses.binary_crossentropy(y, y_pred)

model = Classifier()
model.compile(optimizer="adam")
""",
        """\
from keras import backend as K
from keras.layers import Input, LSTM, Dense, Lambda
from keras.models import Model

def ctc_cost(args):
    y_pred, labels, input_length, label_length = args
    return K.ctc_batch_cost(labels, y_pred, input_length, label_length)

frames = Input((32, 64))
y_pred = Dense(37, activation="softmax")(LSTM(128, return_sequences=True)(frames))
labels, input_length, label_length = Input((8,)), Input((1,)), Input((1,))
loss_out = Lambda(ctc_cost, output_shape=(1,))([y_pred, labels, input_length, label_length])
model = Model([frames, labels, input_length, label_length], loss_out)
model.compile(optimizer="adam", loss=lambda y_true, y_pred: y_pred)
""",
    )

    def check(self, facts, options):
        for loss in facts.loss_calls:
            activation = loss.activation
            if loss.expects != "probabilities":
                continue
            if activation.name == "softmax" and activation.units == 1:
                reason = ONE_UNIT_SOFTMAX
            elif (activation.name in ("sigmoid", "hard_sigmoid") and loss.op in CATEGORICAL_OPS and not loss.hand_written
                  and (activation.units or 0) > 1):
                reason = SIGMOID_UNITS.format(units=activation.units)
            elif activation.name in REASONS:
                reason = REASONS[activation.name]
            else:
                continue
            what = f"{loss.text} takes the log of" if loss.hand_written else f"{loss.op} expects probabilities, but is given"
            yield Finding(
                loss.span,
                f"{what} {loss.prediction_text}, which comes out of {activation.layer}: {reason}",
                related=(Related(activation.span, f"{activation.name} output chosen here"),),
            )
