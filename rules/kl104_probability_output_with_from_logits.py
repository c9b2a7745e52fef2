from kerlint.diagnostic import Severity
from kerlint.keras_api import CROSSENTROPY
from kerlint.rule import Finding, Rule, head_or_loss


class ProbabilityOutputWithFromLogits(Rule):
    code = "KL104"
    name = "probability-output-with-from-logits"
    tag = "activation-loss"
    severity = Severity.ERROR
    summary = "A softmax/sigmoid output feeds a loss told from_logits=True: the squashing is applied twice."
    what_it_does = "Finds outputs whose effective activation is softmax or sigmoid while the crossentropy loss has `from_logits=True`."
    why_bad = (
        "With from_logits=True the loss applies softmax/sigmoid itself. Applied to probabilities in [0, 1], "
        "the second squashing maps every output into a narrow band (sigmoid(0..1) = 0.5..0.73), so the loss "
        "cannot fall far and its gradients shrink: the model trains slowly or stalls."
    )
    fix = "Drop from_logits=True (keep the activation), or remove the activation and keep from_logits=True."
    references = ("https://keras.io/api/losses/probabilistic_losses/",)
    invalid = (
        """\
import keras

model = keras.Sequential([keras.layers.Dense(10, activation="softmax")])  # expect: KL104
model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
""",
        """\
import tensorflow as tf

model = tf.keras.Sequential([tf.keras.layers.Dense(1, activation=tf.nn.sigmoid)])  # expect: KL104
model.compile(optimizer="adam", loss=tf.keras.losses.BinaryCrossentropy(from_logits=True))
""",
        """\
import keras

model = keras.applications.ResNet50(weights=None, input_shape=(32, 32, 3), classes=10)  # expect: KL104
model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
""",
    )
    valid = (
        """\
import keras

model = keras.Sequential([keras.layers.Dense(10)])
model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
""",
        """\
import tensorflow as tf

model = tf.keras.Sequential([tf.keras.layers.Dense(1, activation=tf.nn.sigmoid)])
model.compile(optimizer="adam", loss=tf.keras.losses.BinaryCrossentropy())
""",
        """\
import keras

model = keras.applications.ResNet50(weights=None, input_shape=(32, 32, 3), classes=10, classifier_activation=None)
model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
""",
    )

    def check(self, facts, options):
        for model, output, loss in facts.output_losses():
            activation = output.activation
            if loss.name in CROSSENTROPY and loss.from_logits is True and activation.name in ("softmax", "sigmoid"):
                span, related = head_or_loss(model, activation.span, loss, f"{activation.name} output chosen here",
                                             "from_logits=True set here")
                yield Finding(
                    span,
                    f"{activation.layer} already outputs probabilities, but {loss.text} applies "
                    f"{activation.name} again (from_logits=True): outputs are squashed twice and gradients shrink",
                    related=related,
                )
