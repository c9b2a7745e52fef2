from kerlint.diagnostic import Related, Severity
from kerlint.rule import Finding, Option, Rule


class UnscaledImageInput(Rule):
    code = "KL501"
    name = "unscaled-image-input"
    tag = "input-scaling"
    severity = Severity.WARNING
    summary = "Raw 0..255 image pixels are fed to a model that neither rescales nor normalises them."
    what_it_does = (
        "Finds fit() inputs that are evidently raw 8-bit images — `keras.datasets` images (mnist, cifar10, ...) "
        "never divided or normalised, `flow_from_directory` / `image_dataset_from_directory` batches from a "
        "generator without `rescale` or normalisation — or inputs known to reach `max-input` (e.g. "
        "`np.arange(1000)`, `np.random.randint(0, 5000, ...)`), when the model's first layer is not `Rescaling`, "
        "`Normalization` or another normalising layer. A BatchNormalization right after the first Dense/Conv "
        "makes the network insensitive to the input scale: not reported."
    )
    why_bad = (
        "Inputs in the hundreds make the first layer's pre-activations and gradients hundreds of times larger "
        "than the initialisation assumes: early steps overshoot, units saturate or die, and the loss plateaus "
        "or diverges."
    )
    fix = "Divide by 255.0 (x_train = x_train / 255.0), pass rescale=1./255, or make keras.layers.Rescaling(1./255) the first layer."
    references = ("https://keras.io/api/layers/preprocessing_layers/image_preprocessing/rescaling/",)
    options = {"max-input": Option(100.0, "input magnitude (known from NumPy constructors) at or above which inputs count as unscaled")}
    invalid = (
        """\
import keras

(x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
model = keras.Sequential([keras.layers.Flatten(), keras.layers.Dense(10, activation="softmax")])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
model.fit(x_train, y_train, epochs=5)  # expect: KL501
""",
        """\
from keras.preprocessing.image import ImageDataGenerator
from keras.models import Sequential
from keras.layers import Conv2D, Flatten, Dense

train = ImageDataGenerator(horizontal_flip=True).flow_from_directory("data/train", target_size=(64, 64))
model = Sequential([Conv2D(8, 3, activation='relu'), Flatten(), Dense(2, activation='softmax')])
model.compile(optimizer='adam', loss='categorical_crossentropy')
model.fit(train, epochs=3)  # expect: KL501
""",
        """\
import numpy as np
import keras

x = np.arange(0, 5000).reshape(-1, 1)
y = x * 2 + 1
model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(32, activation="relu"), keras.layers.Dense(1)])
model.compile(optimizer="adam", loss="mse")
model.fit(x, y, epochs=20)  # expect: KL501
""",
    )
    valid = (
        """\
import keras

(x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
x_train = x_train.astype("float32") / 255.0
model = keras.Sequential([keras.layers.Flatten(), keras.layers.Dense(10, activation="softmax")])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
model.fit(x_train, y_train, epochs=5)
""",
        """\
from keras.preprocessing.image import ImageDataGenerator
from keras.models import Sequential
from keras.layers import Conv2D, Flatten, Dense

train = ImageDataGenerator(rescale=1./255, horizontal_flip=True).flow_from_directory("data/train", target_size=(64, 64))
model = Sequential([Conv2D(8, 3, activation='relu'), Flatten(), Dense(2, activation='softmax')])
model.compile(optimizer='adam', loss='categorical_crossentropy')
model.fit(train, epochs=3)
""",
        """\
import keras

(x_train, y_train), _ = keras.datasets.cifar10.load_data()
model = keras.Sequential([keras.layers.Rescaling(1.0 / 255), keras.layers.Flatten(), keras.layers.Dense(10)])
model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
model.fit(x_train, y_train, epochs=5)
""",
        """\
import keras

(x_train, y_train), _ = keras.datasets.mnist.load_data()
model = keras.Sequential([keras.layers.Flatten(), keras.layers.Dense(128), keras.layers.BatchNormalization(),
                          keras.layers.Activation("relu"), keras.layers.Dense(10, activation="softmax")])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
model.fit(x_train, y_train, epochs=5)
""",
    )

    def check(self, facts, options):
        for model, run in facts.runs():
            inputs = run.inputs
            if inputs is None or model.scales_inputs is not False or model.normalizes_first_layer:
                continue
            if inputs.raw_pixels is not None:
                yield Finding(
                    inputs.span,
                    f"{inputs.text} holds raw 0..255 pixels and {model.text} has no Rescaling/Normalization layer: "
                    "inputs that large blow up the first gradients and saturate units",
                    related=(Related(inputs.raw_pixels, "raw images come from here"),),
                )
            elif inputs.low is not None and inputs.high is not None and inputs.standardized is None:
                peak = max(abs(inputs.low), abs(inputs.high))
                if peak >= options["max-input"]:
                    yield Finding(
                        inputs.span,
                        f"{inputs.text} spans [{inputs.low:.4g}, {inputs.high:.4g}] and {model.text} has no "
                        "Rescaling/Normalization layer: inputs that large blow up the first gradients and saturate "
                        "units; standardise them (StandardScaler, x / x.max()) or add keras.layers.Normalization",
                    )

    def probe(self, evidence):
        inputs = evidence.inputs
        if inputs and inputs.max > 10:
            return evidence.confirmed(f"inputs span {evidence.span_text(inputs)} (mean {evidence.fmt(inputs.mean)}, std {evidence.fmt(inputs.std)})")
        if inputs:
            return evidence.not_reproduced(f"inputs span {evidence.span_text(inputs)}")
        return evidence.inconclusive("no input values were captured")
