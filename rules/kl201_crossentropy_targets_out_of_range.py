import math

from kerlint.diagnostic import Related, Severity
from kerlint.keras_api import BINARY_CE, CROSSENTROPY
from kerlint.rule import Finding, Rule

WHITENING = ("featurewise_center", "featurewise_std_normalization", "samplewise_center",
             "samplewise_std_normalization", "zca_whitening")


class CrossentropyTargetsOutOfRange(Rule):
    code = "KL201"
    name = "crossentropy-targets-out-of-range"
    tag = "target-range"
    severity = Severity.ERROR
    summary = "Targets are centred/standardised (or otherwise outside [0, 1]) before a crossentropy loss."
    what_it_does = (
        "Finds crossentropy losses whose targets were moved out of [0, 1]: an `ImageDataGenerator` with "
        "featurewise/samplewise centring or std normalisation (or ZCA whitening) whose flow yields the "
        "targets — e.g. the mask generator in `zip(image_generator, mask_generator)` — targets standardised "
        "in code (`(y - y.mean()) / y.std()`, `StandardScaler`), binary crossentropy on targets known to leave "
        "[0, 1] (class indices 0..9, `np.random.randn`, `y * 2 - 1`), or integer class labels scaled or shifted "
        "(`y / 255`, `y - 1`) before sparse_categorical_crossentropy; class labels outside 0..n-1 for an "
        "n-unit output with sparse_categorical_crossentropy (labels 1..10 for 10 units), and one-hot targets "
        "moved below 0 (`y * 2 - 1`) before categorical_crossentropy."
    )
    why_bad = (
        "Crossentropy is -[y log p + (1 - y) log(1 - p)]: it assumes y in [0, 1]. With whitened masks in "
        "roughly [-1, 1] (or beyond) the loss goes negative and keeps falling as predictions saturate, so the "
        "model optimises garbage: the negative-loss U-Net of Stack Overflow seed 004."
    )
    fix = (
        "Don't normalise the targets: give the mask/label generator only the augmentation options (same seed), "
        "keep featurewise_center/std_normalization for the images."
    )
    references = (
        "https://keras.io/api/losses/probabilistic_losses/#binarycrossentropy-class",
        "Stack Overflow seed 004: model not training and negative loss when whitening input data",
    )
    invalid = (
        """\
from keras.preprocessing.image import ImageDataGenerator

data_gen_args = dict(featurewise_center=True, featurewise_std_normalization=True, rotation_range=30)
image_datagen = ImageDataGenerator(**data_gen_args)
mask_datagen = ImageDataGenerator(**data_gen_args)  # expect: KL201
image_generator = image_datagen.flow(X_train, batch_size=8, seed=1)
mask_generator = mask_datagen.flow(Y_train, batch_size=8, seed=1)
model.compile(optimizer='adam', loss='binary_crossentropy')
model.fit(zip(image_generator, mask_generator), steps_per_epoch=100, epochs=10)
""",
        """\
import numpy as np
import keras

labels = np.load("labels.npy")
labels = (labels - labels.mean()) / labels.std()  # expect: KL201
model = keras.Sequential([keras.layers.Dense(1, activation="sigmoid")])
model.compile(optimizer="adam", loss="binary_crossentropy")
model.fit(np.load("x.npy"), labels, epochs=3)
""",
        """\
import keras

(x_train, y_train), _ = keras.datasets.mnist.load_data()
x_train, y_train = x_train / 255.0, y_train / 255.0  # expect: KL201
model = keras.Sequential([keras.layers.Flatten(), keras.layers.Dense(10, activation="softmax")])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
model.fit(x_train, y_train, epochs=5)
""",
        """\
import numpy as np
import keras

x = np.random.rand(300, 4)
y = np.random.randint(0, 2, 300) * 2 - 1
model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1, activation="sigmoid")])
model.compile(optimizer="adam", loss="binary_crossentropy")
model.fit(x, y, epochs=5)  # expect: KL201
""",
        """\
import numpy as np
import keras

x = np.random.rand(500, 20)
y = np.random.randint(1, 11, size=(500,))
model = keras.Sequential([keras.Input((20,)), keras.layers.Dense(10, activation="softmax")])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
model.fit(x, y, epochs=5)  # expect: KL201
""",
        """\
import numpy as np
import keras

y = keras.utils.to_categorical(np.random.randint(0, 5, 200), 5) * 2 - 1
model = keras.Sequential([keras.Input((10,)), keras.layers.Dense(5, activation="softmax")])
model.compile(optimizer="adam", loss="categorical_crossentropy")
model.fit(np.random.rand(200, 10), y, epochs=5)  # expect: KL201
""",
    )
    valid = (
        """\
from keras.preprocessing.image import ImageDataGenerator

image_datagen = ImageDataGenerator(featurewise_center=True, featurewise_std_normalization=True, rotation_range=30)
mask_datagen = ImageDataGenerator(rotation_range=30)
image_generator = image_datagen.flow(X_train, batch_size=8, seed=1)
mask_generator = mask_datagen.flow(Y_train, batch_size=8, seed=1)
model.compile(optimizer='adam', loss='binary_crossentropy')
model.fit(zip(image_generator, mask_generator), steps_per_epoch=100, epochs=10)
""",
        """\
import numpy as np
import keras

x = np.load("x.npy")
x = (x - x.mean()) / x.std()
model = keras.Sequential([keras.layers.Dense(1, activation="sigmoid")])
model.compile(optimizer="adam", loss="binary_crossentropy")
model.fit(x, np.load("labels.npy"), epochs=3)
""",
        """\
import keras

(x_train, y_train), _ = keras.datasets.mnist.load_data()
x_train = x_train / 255.0
model = keras.Sequential([keras.layers.Flatten(), keras.layers.Dense(10, activation="softmax")])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
model.fit(x_train, y_train, epochs=5)
""",
        """\
import numpy as np
import keras

x = np.random.rand(300, 4)
y = np.random.randint(0, 2, 300)
model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1, activation="sigmoid")])
model.compile(optimizer="adam", loss="binary_crossentropy")
model.fit(x, y, epochs=5)
""",
        """\
import numpy as np
import keras

x = np.random.rand(500, 20)
y = np.random.randint(1, 11, size=(500,)) - 1
model = keras.Sequential([keras.Input((20,)), keras.layers.Dense(10, activation="softmax")])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
model.fit(x, y, epochs=5)
""",
    )

    def check(self, facts, options):
        for model in facts.models:
            losses = [loss for loss in (model.compile.losses if model.compile else []) if loss.name in CROSSENTROPY]
            if not losses:
                continue
            loss = losses[0]
            units = self._units(model)
            for run in model.runs:
                finding = (self._generator_finding(run, loss) or self._array_finding(run, loss)
                           or self._class_index_finding(run, loss, units))
                if finding is not None:
                    yield finding

    def _generator_finding(self, run, loss):
        generator = run.target_generator
        if generator is None:
            return None
        whitening = [key for key in WHITENING if generator.options.get(key) not in (None, False)]
        if not whitening:
            return None
        settings = ", ".join(f"{key}={generator.options[key]!r}" for key in whitening)
        related = [Related(generator.option_spans[key], f"{key} set here") for key in whitening if key in generator.option_spans]
        related.append(Related(loss.span, f"loss {loss.text} set here"))
        return Finding(
            generator.span,
            f"{generator.text} applies {settings} to the targets it feeds through {run.target_generator_text}: "
            f"masks/labels become roughly [-1, 1] and beyond, but {loss.name} needs targets in [0, 1] -> "
            "negative loss, the model does not learn",
            related=tuple(related),
        )

    def _array_finding(self, run, loss):
        targets = run.targets
        if targets is None:
            return None
        if targets.standardized is not None:
            return Finding(
                targets.standardized,
                f"targets {targets.text} are standardised by {targets.standardized_text} (zero mean, both signs) "
                f"and fed to {loss.name}, which needs targets in [0, 1] -> negative loss, nothing sensible is learned",
                related=(Related(run.span, "fed to training here"), Related(loss.span, f"loss {loss.text} set here")),
            )
        if loss.name == "sparse_categorical_crossentropy" and targets.relabelled is not None:
            return Finding(
                targets.relabelled,
                f"integer class labels become {targets.relabelled_text} (now spanning [{targets.low:.3g}, "
                f"{targets.high:.3g}]) before {loss.name}, which needs the class indices 0..n-1 themselves: "
                "non-integer labels are truncated to the wrong class, negative ones are out of range; feed the labels "
                "unchanged (scale the inputs, not the labels)",
                related=(Related(run.span, "fed to training here"), Related(loss.span, f"loss {loss.text} set here")),
            )
        if loss.name in BINARY_CE and targets.low is not None and targets.low < 0 and targets.high is not None:
            return Finding(
                targets.span,
                f"targets {targets.text} span [{targets.low:.3g}, {targets.high:.3g}] but {loss.name} needs targets "
                "in [0, 1] -> negative loss, nothing sensible is learned; map them into [0, 1] (e.g. (y + 1) / 2)",
                related=(Related(loss.span, f"loss {loss.text} set here"),),
            )
        if loss.name in BINARY_CE and targets.high is not None and targets.high > 1:
            return Finding(
                targets.span,
                f"targets {targets.text} span [{targets.low:.3g}, {targets.high:.3g}] but {loss.name} needs targets in "
                "[0, 1] -> negative loss; one-hot encode them and use categorical crossentropy, or binarise them",
                related=(Related(loss.span, f"loss {loss.text} set here"),),
            )
        return None

    def probe(self, evidence):
        return evidence.target_domain()

    @staticmethod
    def _units(model) -> int | None:
        """The width of the model's one output, when known."""
        if model.outputs is None or len(model.outputs) != 1:
            return None
        return model.outputs[0].activation.units

    @staticmethod
    def _class_index_finding(run, loss, units):
        targets = run.targets
        if targets is None or targets.low is None or targets.high is None:
            return None
        related = (Related(loss.span, f"loss {loss.text} set here"),)
        if loss.name == "sparse_categorical_crossentropy" and targets.integer and not targets.one_hot \
                and units is not None and units > 1 and math.isfinite(targets.high) \
                and (targets.low < 0 or targets.high >= units):
            return Finding(
                targets.span,
                f"labels {targets.text} span [{targets.low:.0f}, {targets.high:.0f}], but {loss.name} over {units} "
                f"units needs class indices 0..{units - 1}: an out-of-range label makes the loss NaN on GPU and "
                "fails on CPU; shift the labels to start at 0 (y - y.min()) or widen the output to the number of "
                "classes",
                related=related,
            )
        if loss.name == "categorical_crossentropy" and targets.low < 0:
            return Finding(
                targets.span,
                f"targets {targets.text} span [{targets.low:.3g}, {targets.high:.3g}] but {loss.name} needs one-hot "
                "(or probability) targets in [0, 1]: negative targets reward pushing their class's probability to 0, "
                "and the loss goes negative; keep the targets one-hot",
                related=related,
            )
        return None
