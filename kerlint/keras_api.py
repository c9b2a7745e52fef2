"""What kerlint knows about the Keras API: loss and activation spellings, optimizer signatures and
defaults, which layers change the range of their input. Data only; no logic."""

from __future__ import annotations

# Loss spellings (strings, functions, classes) -> one canonical name.
LOSS_ALIASES = {
    "categorical_crossentropy": "categorical_crossentropy",
    "categoricalcrossentropy": "categorical_crossentropy",
    "sparse_categorical_crossentropy": "sparse_categorical_crossentropy",
    "sparsecategoricalcrossentropy": "sparse_categorical_crossentropy",
    "binary_crossentropy": "binary_crossentropy",
    "binarycrossentropy": "binary_crossentropy",
    "binary_focal_crossentropy": "binary_focal_crossentropy",
    "binaryfocalcrossentropy": "binary_focal_crossentropy",
    "categorical_focal_crossentropy": "categorical_focal_crossentropy",
    "categoricalfocalcrossentropy": "categorical_focal_crossentropy",
    "mse": "mse", "mean_squared_error": "mse", "meansquarederror": "mse",
    "mae": "mae", "mean_absolute_error": "mae", "meanabsoluteerror": "mae",
    "mape": "mape", "mean_absolute_percentage_error": "mape", "meanabsolutepercentageerror": "mape",
    "msle": "msle", "mean_squared_logarithmic_error": "msle", "meansquaredlogarithmicerror": "msle",
    "huber": "huber", "huber_loss": "huber",
    "logcosh": "log_cosh", "log_cosh": "log_cosh", "logcosherror": "log_cosh",
    "kld": "kl_divergence", "kl_divergence": "kl_divergence", "kullback_leibler_divergence": "kl_divergence",
    "kldivergence": "kl_divergence",
    "poisson": "poisson", "hinge": "hinge", "squared_hinge": "squared_hinge", "squaredhinge": "squared_hinge",
    "categorical_hinge": "categorical_hinge", "categoricalhinge": "categorical_hinge",
    "cosine_similarity": "cosine_similarity", "cosinesimilarity": "cosine_similarity", "cosine_proximity": "cosine_similarity",
}

CATEGORICAL_CE = frozenset({"categorical_crossentropy", "sparse_categorical_crossentropy", "categorical_focal_crossentropy"})
BINARY_CE = frozenset({"binary_crossentropy", "binary_focal_crossentropy"})
CROSSENTROPY = CATEGORICAL_CE | BINARY_CE
REGRESSION_LOSSES = frozenset({"mse", "mae", "mape", "msle", "huber", "log_cosh"})

# Activation spellings -> canonical name.
ACTIVATION_ALIASES = {
    "softmax": "softmax", "sigmoid": "sigmoid", "hard_sigmoid": "hard_sigmoid", "relu": "relu",
    "relu6": "relu6", "elu": "elu", "selu": "selu", "tanh": "tanh", "softplus": "softplus",
    "softsign": "softsign", "exponential": "exponential", "linear": "linear", "gelu": "gelu",
    "swish": "silu", "silu": "silu", "leaky_relu": "leaky_relu", "log_softmax": "log_softmax",
    "mish": "mish", "hard_silu": "hard_silu", "hard_swish": "hard_silu", "hard_tanh": "hard_tanh",
}

# Activation layers -> the activation they apply.
ACTIVATION_LAYERS = {
    "Softmax": "softmax", "ReLU": "relu", "LeakyReLU": "leaky_relu", "ELU": "elu", "PReLU": "prelu",
    "ThresholdedReLU": "relu",
}

# Layers that pass values through without changing their range (shape and regularisation only).
RANGE_PRESERVING_LAYERS = frozenset({
    "Dropout", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D", "Flatten", "Reshape", "Permute",
    "RepeatVector", "Identity", "ActivityRegularization", "Cropping1D", "Cropping2D", "Cropping3D",
    "MaxPooling1D", "MaxPooling2D", "MaxPooling3D", "GlobalMaxPooling1D", "GlobalMaxPooling2D",
    "GlobalMaxPooling3D", "UpSampling1D", "UpSampling2D", "UpSampling3D", "Masking",
})

# Range-preserving layers after which the last axis holds something else (Flatten over (steps, 1) is
# `steps` units).
AXIS_CHANGING_LAYERS = frozenset({"Flatten", "Reshape", "Permute", "RepeatVector"})

# Layers that apply their own `activation=` argument, and what they use when it is not given.
DEFAULT_ACTIVATION = {
    **{name: "linear" for name in (
        "Dense", "Conv1D", "Conv2D", "Conv3D", "Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose",
        "SeparableConv1D", "SeparableConv2D", "DepthwiseConv2D", "Convolution1D", "Convolution2D",
        "Convolution3D", "Deconvolution2D", "EinsumDense", "LocallyConnected1D", "LocallyConnected2D")},
    **{name: "tanh" for name in ("LSTM", "GRU", "SimpleRNN", "ConvLSTM2D", "ConvLSTM1D", "ConvLSTM3D")},
}

# Layers with a first argument that sizes the last axis.
UNITS_ARGUMENT = {name: ("filters" if "Conv" in name else "units") for name in DEFAULT_ACTIVATION}
UNITS_ARGUMENT.update({"Convolution2D": "nb_filter", "Dense": "units"})

# Layers with trainable weights that count towards a model's depth.
WEIGHT_LAYERS = frozenset({*DEFAULT_ACTIVATION, "Embedding"})
RECURRENT_LAYERS = frozenset({"SimpleRNN", "LSTM", "GRU", "ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D", "RNN"})
NORMALIZATION_LAYERS = frozenset({"BatchNormalization", "LayerNormalization", "GroupNormalization"})

# Layers whose output is unbounded whatever comes in (normalization shifts and scales).
UNBOUNDED_LAYERS = frozenset({"BatchNormalization", "LayerNormalization", "GroupNormalization"})

# Layers that rescale or normalise inputs when they come first.
INPUT_SCALING_LAYERS = frozenset({"Rescaling", "Normalization", "BatchNormalization", "LayerNormalization", "Lambda"})
# First layers that read their inputs as indices or categories: input scale does not apply to them.
INDEX_INPUT_LAYERS = frozenset({"Embedding", "IntegerLookup", "StringLookup", "TextVectorization", "CategoryEncoding",
                                "Hashing", "HashedCrossing"})

# Optimizer signatures (positional order of Keras 2/3) and Keras 3 defaults.
OPTIMIZER_POSITIONAL = {
    "SGD": ("learning_rate", "momentum", "nesterov"),
    "Adam": ("learning_rate", "beta_1", "beta_2", "epsilon", "amsgrad"),
    "AdamW": ("learning_rate", "weight_decay", "beta_1", "beta_2", "epsilon", "amsgrad"),
    "Adamax": ("learning_rate", "beta_1", "beta_2", "epsilon"),
    "Nadam": ("learning_rate", "beta_1", "beta_2", "epsilon"),
    "RMSprop": ("learning_rate", "rho", "momentum", "epsilon", "centered"),
    "Adagrad": ("learning_rate", "initial_accumulator_value", "epsilon"),
    "Adadelta": ("learning_rate", "rho", "epsilon"),
    "Ftrl": ("learning_rate",),
    "Lion": ("learning_rate", "beta_1", "beta_2"),
    "Adafactor": ("learning_rate",),
    "Lamb": ("learning_rate", "beta_1", "beta_2", "epsilon"),
}
OPTIMIZER_DEFAULTS: dict[str, dict[str, float | bool | None]] = {
    "SGD": {"learning_rate": 0.01, "momentum": 0.0, "nesterov": False},
    "Adam": {"learning_rate": 0.001, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7},
    "AdamW": {"learning_rate": 0.001, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7},
    "Adamax": {"learning_rate": 0.001, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7},
    "Nadam": {"learning_rate": 0.001, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7},
    "RMSprop": {"learning_rate": 0.001, "rho": 0.9, "momentum": 0.0, "epsilon": 1e-7},
    "Adagrad": {"learning_rate": 0.001, "epsilon": 1e-7},
    "Adadelta": {"learning_rate": 0.001, "rho": 0.95, "epsilon": 1e-7},
    "Ftrl": {"learning_rate": 0.001},
    "Lion": {"learning_rate": 0.001, "beta_1": 0.9, "beta_2": 0.99},
    "Adafactor": {"learning_rate": 0.001},
    "Lamb": {"learning_rate": 0.001, "epsilon": 1e-6},
}
# TensorFlow 1 optimizers (tf.train.*, tf.compat.v1.train.*) -> (Keras class, positional order, their
# own defaults, their argument names -> Keras names).
TF1_OPTIMIZERS = {
    "GradientDescentOptimizer": ("SGD", ("learning_rate",), {"momentum": 0.0}, {}),
    "MomentumOptimizer": ("SGD", ("learning_rate", "momentum", "use_locking", "name", "use_nesterov"), {},
                          {"use_nesterov": "nesterov"}),
    "AdamOptimizer": ("Adam", ("learning_rate", "beta_1", "beta_2", "epsilon"), {"epsilon": 1e-8},
                      {"beta1": "beta_1", "beta2": "beta_2"}),
    "RMSPropOptimizer": ("RMSprop", ("learning_rate", "rho", "momentum", "epsilon"), {"epsilon": 1e-10},
                         {"decay": "rho"}),
    "AdagradOptimizer": ("Adagrad", ("learning_rate", "initial_accumulator_value"), {}, {}),
    "AdadeltaOptimizer": ("Adadelta", ("learning_rate", "rho", "epsilon"), {"learning_rate": 0.001, "epsilon": 1e-8}, {}),
}
TF1_OPTIMIZER_MODULES = ("tensorflow.train.", "tensorflow.compat.v1.train.")
CTC_LOSSES = frozenset({"keras.backend.ctc_batch_cost", "tensorflow.nn.ctc_loss", "tensorflow.compat.v1.nn.ctc_loss",
                        "keras.ops.ctc_loss", "tensorflow.nn.ctc_loss_v2", "keras.losses.CTC", "keras.losses.ctc"})
FLOAT16_SETTERS = frozenset({"keras.mixed_precision.set_global_policy", "keras.mixed_precision.experimental.set_policy",
                             "keras.backend.set_floatx", "keras.config.set_floatx", "keras.config.set_dtype_policy",
                             "keras.mixed_precision.Policy", "keras.mixed_precision.experimental.Policy"})
CLIPPING_PARAMETERS = ("clipnorm", "clipvalue", "global_clipnorm")
OPTIMIZER_STRINGS = {name.lower(): name for name in OPTIMIZER_DEFAULTS}
# Renamed optimizer arguments (Keras 1/2 spelling -> current spelling; None: removed, no rename).
RENAMED_OPTIMIZER_ARGUMENTS = {"lr": "learning_rate", "decay": None}

# fit()/fit_generator() arguments, positional order.
FIT_POSITIONAL = ("x", "y", "batch_size", "epochs")
FIT_GENERATOR_POSITIONAL = ("generator", "steps_per_epoch", "epochs")
RENAMED_FIT_ARGUMENTS = {
    "nb_epoch": "epochs", "samples_per_epoch": "steps_per_epoch", "nb_val_samples": "validation_steps",
    "nb_worker": None, "pickle_safe": None, "workers": None, "use_multiprocessing": None, "max_queue_size": None,
}
TRAINING_METHODS = ("fit", "fit_generator", "train_on_batch")
REMOVED_METHODS = {"fit_generator": "fit", "evaluate_generator": "evaluate", "predict_generator": "predict"}

# Callbacks that watch a logged value, and what they watch by default.
MONITORING_CALLBACKS = {"EarlyStopping": "val_loss", "ModelCheckpoint": "val_loss", "ReduceLROnPlateau": "val_loss"}

# Metric objects -> the key Keras logs them under by default.
METRIC_CLASS_NAMES = {
    "Accuracy": "accuracy", "BinaryAccuracy": "binary_accuracy", "CategoricalAccuracy": "categorical_accuracy",
    "SparseCategoricalAccuracy": "sparse_categorical_accuracy", "TopKCategoricalAccuracy": "top_k_categorical_accuracy",
    "SparseTopKCategoricalAccuracy": "sparse_top_k_categorical_accuracy", "AUC": "auc", "Precision": "precision",
    "Recall": "recall", "MeanIoU": "mean_io_u", "IoU": "io_u", "MeanSquaredError": "mean_squared_error",
    "MeanAbsoluteError": "mean_absolute_error", "RootMeanSquaredError": "root_mean_squared_error",
    "MeanAbsolutePercentageError": "mean_absolute_percentage_error", "F1Score": "f1_score", "FBetaScore": "fbeta_score",
    "BinaryCrossentropy": "binary_crossentropy", "CategoricalCrossentropy": "categorical_crossentropy",
    "SparseCategoricalCrossentropy": "sparse_categorical_crossentropy", "Mean": "mean", "Sum": "sum",
    "TruePositives": "true_positives", "FalsePositives": "false_positives", "TrueNegatives": "true_negatives",
    "FalseNegatives": "false_negatives", "PrecisionAtRecall": "precision_at_recall", "R2Score": "r2_score",
}

# keras.datasets loaders: (inputs are raw 0..255 pixels, target bounds).
DATASETS = {
    "mnist": (True, (0, 9)), "fashion_mnist": (True, (0, 9)), "cifar10": (True, (0, 9)),
    "cifar100": (True, (0, 99)), "boston_housing": (False, (5.0, 50.0)),
    "california_housing": (False, (14999.0, 500001.0)), "imdb": (False, (0, 1)), "reuters": (False, (0, 45)),
}
# Loaders whose label range depends on an argument: (argument, its default, {value: target bounds}).
DATASET_LABEL_MODES = {"cifar100": ("label_mode", "fine", {"fine": (0, 99), "coarse": (0, 19)})}

# Functions of keras.backend that Keras 3 still has (the rest of the Keras 2 backend moved to keras.ops).
KERAS3_BACKEND = frozenset({
    "backend", "clear_session", "epsilon", "floatx", "image_data_format", "set_epsilon", "set_floatx",
    "set_image_data_format", "is_keras_tensor", "standardize_dtype", "result_type", "is_float_dtype",
    "is_int_dtype", "get_uid", "random_uniform", "random_normal", "random_bernoulli",
    "random_normal_variable", "random_uniform_variable", "truncated_normal", "name_scope",
})

# Modules current Keras no longer has -> where the contents went.
REMOVED_MODULES = {
    "keras.engine": "keras (keras.Model, keras.Input, keras.layers.Layer)",
    "keras.layers.core": "keras.layers",
    "keras.layers.convolutional": "keras.layers",
    "keras.layers.recurrent": "keras.layers",
    "keras.layers.normalization": "keras.layers",
    "keras.layers.advanced_activations": "keras.layers",
    "keras.layers.merge": "keras.layers",
    "keras.layers.pooling": "keras.layers",
    "keras.layers.embeddings": "keras.layers",
    "keras.wrappers.scikit_learn": "the scikeras package",
    "keras.utils.np_utils": "keras.utils",
    "keras.utils.generic_utils": "keras.utils",
    "keras.optimizers.legacy": "keras.optimizers",
    "keras.layers.experimental.preprocessing": "keras.layers",
    "keras.preprocessing.text": "keras.layers.TextVectorization",
    "keras.objectives": "keras.losses",
    "keras.preprocessing.image.ImageDataGenerator": "keras.utils.image_dataset_from_directory + preprocessing layers (tf.keras still has it)",
}

# keras.backend functions of Keras 2 -> their Keras 3 replacement (most are keras.ops.<same name>).
BACKEND_REPLACEMENTS = {
    "int_shape": "x.shape", "shape": "keras.ops.shape", "get_value": "variable.numpy()",
    "set_value": "variable.assign(value)", "variable": "keras.Variable", "constant": "keras.ops.convert_to_tensor",
    "placeholder": "keras.Input", "function": "a plain Python function (K.function was removed)",
    "permute_dimensions": "keras.ops.transpose", "batch_dot": "keras.ops.einsum / keras.ops.matmul",
    "l2_normalize": "keras.ops.normalize", "conv1d": "keras.ops.conv", "conv2d": "keras.ops.conv",
    "pow": "keras.ops.power", "gather": "keras.ops.take", "cast_to_floatx": "keras.ops.cast",
    "switch": "keras.ops.where", "dtype": "x.dtype", "count_params": "keras.Model.count_params",
    "batch_flatten": "keras.ops.reshape(x, (ops.shape(x)[0], -1))", "flatten": "keras.ops.reshape(x, (-1,))",
    "local_conv1d": "keras.layers.LocallyConnected1D's implementation (no keras.ops equivalent)",
    "categorical_crossentropy": "keras.losses.categorical_crossentropy",
    "sparse_categorical_crossentropy": "keras.losses.sparse_categorical_crossentropy",
    "binary_crossentropy": "keras.losses.binary_crossentropy",
}
KERAS_OPS_NAMES = frozenset({
    "abs", "all", "any", "argmax", "argmin", "cast", "clip", "concatenate", "cos", "cumsum", "dot", "elu", "equal",
    "exp", "expand_dims", "floor", "ceil", "greater", "greater_equal", "less", "less_equal", "log", "log1p", "matmul",
    "max", "maximum", "mean", "min", "minimum", "not_equal", "one_hot", "ones", "ones_like", "prod", "relu",
    "repeat", "reshape", "round", "sigmoid", "sign", "sin", "softmax", "softplus", "softsign", "sqrt", "square",
    "squeeze", "stack", "std", "stop_gradient", "sum", "tanh", "tile", "transpose", "var", "where", "zeros",
    "zeros_like", "arange", "logsumexp", "log_softmax", "hard_sigmoid", "moments", "top_k", "in_top_k", "ctc_decode",
    "map", "scan", "cond", "slice", "rsqrt", "reverse", "flip", "argsort", "sort", "eye", "identity",
})


def backend_replacement(name: str) -> str:
    if name in BACKEND_REPLACEMENTS:
        return BACKEND_REPLACEMENTS[name]
    if name in KERAS_OPS_NAMES:
        return f"keras.ops.{name}"
    return "the keras.ops / keras.layers equivalent (see the Keras 3 migration guide)"
