from kerlint.diagnostic import Related, Severity
from kerlint.rule import Finding, Rule

ADAM_FAMILY = ("Adam", "AdamW", "Adamax", "Nadam", "Lamb")
FLOAT16_SMALLEST_NORMAL = 6.104e-05


class AdamEpsilonUnderflowsInFloat16(Rule):
    code = "KL304"
    name = "adam-epsilon-underflows-in-float16"
    tag = "optimizer"
    severity = Severity.WARNING
    summary = "An Adam-family optimizer keeps an epsilon float16 cannot hold, in a module that trains in pure float16."
    what_it_does = (
        "Finds Adam, AdamW, Adamax, Nadam and Lamb optimizers (TensorFlow 1's AdamOptimizer too) whose epsilon "
        "— the default 1e-7 (1e-8 for tf.train) included — is below float16's smallest normal number "
        "(6.1e-5), in a module that trains in pure float16: `set_floatx('float16')` or a `'float16'` dtype "
        "policy. `mixed_float16` is not reported: Keras keeps the variables and the optimizer's slots in "
        "float32 there (and scales the loss), so epsilon does not underflow."
    )
    why_bad = (
        "In float16, 1e-7 is a subnormal that keeps one significant bit and 1e-8 rounds to 0. Where the "
        "optimizer's state or update runs in float16, small gradients square to v = 0 and m / (sqrt(v) + eps) "
        "becomes a huge step or inf: the weights jump, the loss turns NaN."
    )
    fix = "Pass epsilon=1e-4 (or larger) to the optimizer when training in float16 / mixed precision."
    references = ("https://keras.io/api/mixed_precision/", "https://keras.io/api/optimizers/adam/")
    invalid = (
        """\
import keras

keras.config.set_floatx("float16")
model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-3), loss="mse")  # expect: KL304
""",
        """\
import tensorflow as tf

tf.keras.backend.set_floatx("float16")
train_op = tf.compat.v1.train.AdamOptimizer(0.001).minimize(loss)  # expect: KL304
""",
    )
    valid = (
        """\
import keras

keras.config.set_floatx("float16")
model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-3, epsilon=1e-4), loss="mse")
""",
        """\
import keras

keras.mixed_precision.set_global_policy("mixed_float16")  # float32 variables and optimizer state
model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-3), loss="mse")
""",
        """\
import keras

model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-3), loss="mse")  # float32
""",
    )

    def check(self, facts, options):
        if facts.float16 is None:
            return
        for optimizer in facts.optimizers:
            epsilon = optimizer.params.get("epsilon")
            if optimizer.name not in ADAM_FAMILY or not isinstance(epsilon, (int, float)) or epsilon >= FLOAT16_SMALLEST_NORMAL:
                continue
            if not facts.optimizer_in_use(optimizer):
                continue
            yield Finding(
                optimizer.param_spans.get("epsilon", optimizer.span),
                f"{optimizer.text} keeps epsilon={epsilon:g}, below float16's smallest normal number (6.1e-05): in "
                "float16 it flushes toward 0, so m/(sqrt(v)+eps) blows up where v underflows — huge steps, inf, NaN",
                related=(Related(facts.float16, "float16 training set here"),),
            )
