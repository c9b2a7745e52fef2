"""Import aliases and canonical API names across the Keras dialects people really write.

`qualify` turns `K.log`, `tf.keras.layers.Dense`, `layers.Dense` or a bare `Dense` into a dotted name,
and `canonical` folds the dialects into one spelling so rules and the extractor compare one thing:

    keras.layers.core.Dense, tensorflow.keras.layers.Dense, keras.src.layers.Dense -> keras.layers.Dense
    keras.engine.training.Model, keras.models.Model, tf.keras.Model               -> keras.Model
    tf.log, tf.math.log                                                          -> tensorflow.math.log
"""

from __future__ import annotations

from functools import lru_cache

import libcst as cst

KERAS_PREFIXES = (
    "tensorflow.python.keras",
    "tensorflow.compat.v1.keras",
    "tensorflow.compat.v2.keras",
    "tensorflow.keras",
    "tf_keras",
    "keras.src",
    "keras.api",
    "keras._tf_keras.keras",
)

# Keras namespaces whose members are addressed by their last name whatever submodule defines them.
FLAT_NAMESPACES = ("layers", "optimizers", "losses", "metrics", "callbacks", "activations", "backend", "ops",
                   "applications", "initializers", "regularizers", "utils")

OPTIMIZER_CLASSES = {
    name.lower(): name
    for name in ("SGD", "Adam", "AdamW", "Adamax", "Nadam", "RMSprop", "Adagrad", "Adadelta", "Ftrl", "Lion",
                 "Adafactor", "Lamb", "Muon", "LossScaleOptimizer")
}

# Top-level TensorFlow math functions that also live in tf.math.
TF_MATH = {
    "log", "exp", "sqrt", "rsqrt", "pow", "square", "maximum", "minimum", "divide", "truediv", "abs",
    "reduce_sum", "reduce_mean", "reduce_max", "reduce_min", "reduce_prod", "sigmoid", "softplus", "tanh",
    "log1p", "expm1", "add", "subtract", "multiply", "negative", "reciprocal", "divide_no_nan", "xlogy",
    "log_sigmoid", "reduce_logsumexp", "sign", "clip_by_value", "round", "floor", "ceil",
}

ENGINE_NAMES = {"Model": "keras.Model", "Input": "keras.Input", "Sequential": "keras.Sequential",
                "Layer": "keras.layers.Layer", "InputLayer": "keras.layers.InputLayer"}

LAYER_NAMES = (
    "Dense", "Activation", "Softmax", "ReLU", "LeakyReLU", "ELU", "PReLU", "ThresholdedReLU", "Dropout",
    "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D", "AlphaDropout", "GaussianDropout",
    "GaussianNoise", "Flatten", "Reshape", "Permute", "RepeatVector", "Lambda", "BatchNormalization",
    "LayerNormalization", "GroupNormalization", "Conv1D", "Conv2D", "Conv3D", "Conv1DTranspose",
    "Conv2DTranspose", "Conv3DTranspose", "SeparableConv1D", "SeparableConv2D", "DepthwiseConv2D",
    "Convolution1D", "Convolution2D", "Convolution3D", "Deconvolution2D", "MaxPooling1D", "MaxPooling2D",
    "MaxPooling3D", "AveragePooling1D", "AveragePooling2D", "AveragePooling3D", "GlobalAveragePooling1D",
    "GlobalAveragePooling2D", "GlobalAveragePooling3D", "GlobalMaxPooling1D", "GlobalMaxPooling2D",
    "GlobalMaxPooling3D", "UpSampling1D", "UpSampling2D", "UpSampling3D", "ZeroPadding1D", "ZeroPadding2D",
    "ZeroPadding3D", "Cropping1D", "Cropping2D", "Cropping3D", "Concatenate", "concatenate", "Add", "add",
    "Multiply", "multiply", "Average", "average", "Maximum", "Subtract", "subtract", "Dot", "dot",
    "InputLayer", "LSTM", "GRU", "SimpleRNN", "ConvLSTM2D", "Embedding", "Bidirectional", "TimeDistributed",
    "Rescaling", "Normalization", "Resizing", "CenterCrop", "RandomFlip", "RandomRotation", "RandomZoom",
    "MultiHeadAttention", "Attention", "Identity", "ActivityRegularization", "Masking", "Cropping2D",
)
CALLBACK_NAMES = ("EarlyStopping", "ModelCheckpoint", "ReduceLROnPlateau", "TensorBoard", "CSVLogger",
                  "LearningRateScheduler", "TerminateOnNaN", "BackupAndRestore", "Callback", "LambdaCallback")
APPLICATION_NAMES = ("VGG16", "VGG19", "ResNet50", "ResNet101", "ResNet152", "ResNet50V2", "InceptionV3",
                     "InceptionResNetV2", "Xception", "MobileNet", "MobileNetV2", "MobileNetV3Small",
                     "MobileNetV3Large", "DenseNet121", "DenseNet169", "DenseNet201", "NASNetMobile",
                     "NASNetLarge", "EfficientNetB0", "EfficientNetB7", "ConvNeXtTiny")

# Names a code fragment uses without importing them (Stack Overflow snippets, notebooks split in
# cells). Used only when the module binds the name nowhere.
CONVENTIONS: dict[str, str] = {
    "K": "keras.backend", "tf": "tensorflow", "np": "numpy", "numpy": "numpy", "keras": "keras",
    "layers": "keras.layers", "engine": "keras.engine", "optimizers": "keras.optimizers",
    "losses": "keras.losses", "metrics": "keras.metrics", "callbacks": "keras.callbacks",
    "activations": "keras.activations", "ops": "keras.ops", "math": "math", "backend": "keras.backend",
    "Model": "keras.Model", "Sequential": "keras.Sequential", "Input": "keras.Input",
    "ImageDataGenerator": "keras.preprocessing.image.ImageDataGenerator",
    "to_categorical": "keras.utils.to_categorical", "load_model": "keras.models.load_model",
    **{name: f"keras.layers.{name}" for name in LAYER_NAMES if name not in ("Input",)},
    **{name: f"keras.optimizers.{name}" for name in OPTIMIZER_CLASSES.values()},
    **{name: f"keras.callbacks.{name}" for name in CALLBACK_NAMES},
    **{name: f"keras.applications.{name}" for name in APPLICATION_NAMES},
}


def dotted(expr: cst.BaseExpression) -> str | None:
    """`a.b.c` -> "a.b.c"; anything that is not a plain name chain -> None."""
    if isinstance(expr, cst.Name):
        return expr.value
    if isinstance(expr, cst.Attribute):
        base = dotted(expr.value)
        return f"{base}.{expr.attr.value}" if base else None
    return None


class ImportTable:
    """Local names bound by import statements, and what they stand for."""

    def __init__(self) -> None:
        self.aliases: dict[str, str] = {}
        self.modules_imported: list[tuple[str, cst.CSTNode]] = []  # (dotted module, node) for api checks

    def add(self, node: cst.Import | cst.ImportFrom) -> None:
        if isinstance(node, cst.Import):
            for alias in node.names:
                full = dotted(alias.name)
                if not full:
                    continue
                self.modules_imported.append((full, node))
                if alias.asname is not None:
                    self.aliases[alias.asname.name.value] = full
                else:
                    head = full.split(".")[0]
                    self.aliases[head] = head
            return
        if node.relative or node.module is None:
            return
        module = dotted(node.module)
        if not module:
            return
        self.modules_imported.append((module, node))
        if isinstance(node.names, cst.ImportStar):
            return  # its names stay unbound, so the conventional spellings (Dense, SGD, ...) apply
        for alias in node.names:
            name = dotted(alias.name)
            if not name:
                continue
            local = alias.asname.name.value if alias.asname is not None else name
            self.aliases[local] = f"{module}.{name}"
            self.modules_imported.append((f"{module}.{name}", node))


@lru_cache(maxsize=4096)
def canonical(name: str) -> str:
    """Fold a qualified name into kerlint's one spelling per API."""
    for prefix in KERAS_PREFIXES:
        if name == prefix or name.startswith(prefix + "."):
            name = "keras" + name[len(prefix):]
            break
    if name == "tf":
        name = "tensorflow"
    elif name.startswith("tf."):
        name = "tensorflow" + name[2:]
    parts = name.split(".")
    if parts[0] == "keras" and len(parts) >= 3:
        space = parts[1]
        last = parts[-1]
        if space == "engine" or (space == "models" and last in ("Model", "Sequential")):
            return ENGINE_NAMES.get(last, f"keras.engine.{last}")
        if space == "layers" and last == "Input":
            return "keras.Input"
        if space == "optimizers" and parts[2] == "schedules":
            return f"keras.optimizers.schedules.{last}"
        if space == "optimizers" and last in OPTIMIZER_CLASSES and len(parts) == 3:
            return f"keras.optimizers.{OPTIMIZER_CLASSES[last]}"
        if space in FLAT_NAMESPACES:
            return f"keras.{space}.{last}"
        if last == "ImageDataGenerator":
            return "keras.preprocessing.image.ImageDataGenerator"
        if space == "preprocessing" and last == "image_dataset_from_directory":
            return "keras.utils.image_dataset_from_directory"
        if space in ("saving", "models") and last == "load_model":
            return "keras.models.load_model"
    if parts[0] == "tensorflow" and len(parts) == 2 and parts[1] in TF_MATH:
        return f"tensorflow.math.{parts[1]}"
    return name


def keras_member(name: str | None, namespace: str) -> str | None:
    """"keras.layers.Dense", "layers" -> "Dense"; None when name is not in that namespace."""
    if name and name.startswith(f"keras.{namespace}.") and name.count(".") == 2:
        return name.rsplit(".", 1)[1]
    return None
