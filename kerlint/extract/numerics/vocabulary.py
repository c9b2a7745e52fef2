"""The names the analysis knows: tensor-math functions by what they do, machine epsilons, and the
parameter names of a loss's inputs."""

from __future__ import annotations

# Namespaces whose functions are tensor math; a call is classified by its last name inside one.
MATH_NAMESPACES = frozenset({
    "keras.backend", "keras.ops", "keras.ops.numpy", "keras.ops.math", "keras.ops.nn", "keras.ops.linalg",
    "keras.activations", "tensorflow", "tensorflow.math", "tensorflow.nn", "tensorflow.linalg",
    "tensorflow.experimental.numpy", "numpy", "numpy.linalg", "math", "jax.numpy", "jax.nn", "torch",
    "tensorflow.compat.v1", "tensorflow.compat.v1.math", "tensorflow.compat.v1.nn", "tensorflow.compat.v2",
    "tensorflow.compat.v2.math", "tensorflow.compat.v2.nn",
})
LOGS = frozenset({"log", "log2", "log10"})
SQRTS = frozenset({"sqrt", "rsqrt"})
EXPS = frozenset({"exp", "expm1"})
DIVIDES = frozenset({"divide", "true_divide", "truediv", "realdiv", "div"})
RECIPROCALS = frozenset({"reciprocal"})
POWERS = frozenset({"pow", "power", "float_power"})
CLIPS = frozenset({"clip", "clip_by_value"})
MAXIMUMS = frozenset({"maximum", "fmax"})
MINIMUMS = frozenset({"minimum", "fmin"})
STRICTLY_POSITIVE = frozenset({"exp", "softplus", "cosh"})
# Positive in exact arithmetic, but exactly 0 in float32 once a logit gap passes ~100 (softmax) or the
# input falls below ~-100 (sigmoid): they do not keep a log or a denominator finite.
SQUASHING = frozenset({"sigmoid", "softmax"})
# Functions that choose between values: assume the author guarded with them.
SELECTORS = frozenset({"where", "switch", "select", "cond"})
SUMS = frozenset({"sum", "reduce_sum", "cumsum"})
SAME_RANGE_REDUCTIONS = frozenset({"mean", "reduce_mean", "max", "reduce_max", "min", "reduce_min", "amax", "amin",
                                   "average", "nanmean"})
# Functions that move or reshape values without changing them.
PASSTHROUGH = frozenset({
    "reshape", "flatten", "batch_flatten", "squeeze", "expand_dims", "transpose", "permute_dimensions", "cast",
    "gather", "gather_nd", "stop_gradient", "identity", "convert_to_tensor", "boolean_mask", "tile", "repeat",
    "concatenate", "concat", "stack", "ravel", "asarray", "array", "constant", "cast_to_floatx", "float32",
    "float64", "tensor", "sort", "take", "take_along_axis", "broadcast_to", "resize_images", "split", "unstack",
    "unpack", "slice", "strided_slice",
})
# Counts: derived from the inputs' shapes, never zero because of their values.
COUNTS = frozenset({"shape", "int_shape", "size", "ndim", "rank", "len", "ones_like", "zeros_like", "ones", "zeros",
                    "get_shape", "num_elements", "shape_n", "count_params", "float", "int"})
SHAPE_ATTRIBUTES = frozenset({"shape", "dtype", "ndim", "size", "name"})
# Every function whose effect on a value the guard analysis models; any other math function is assumed to guard.
KNOWN_MATH = (LOGS | SQRTS | EXPS | DIVIDES | RECIPROCALS | POWERS | CLIPS | MAXIMUMS | MINIMUMS | STRICTLY_POSITIVE
              | SQUASHING              | SELECTORS | SUMS | SAME_RANGE_REDUCTIONS | PASSTHROUGH | COUNTS
              | {"square", "abs", "absolute", "relu", "relu6", "elu", "selu", "tanh", "sin", "cos", "subtract", "add",
                 "multiply", "negative", "sign", "log1p", "log_sigmoid", "log_softmax", "logsumexp",
                 "reduce_logsumexp", "round", "floor", "ceil", "dot", "matmul", "l2_normalize", "hard_sigmoid",
                 "leaky_relu", "linear", "prod", "reduce_prod", "std", "var", "reduce_std", "reduce_variance",
                 "norm", "greater", "less", "equal", "not_equal", "greater_equal", "less_equal", "one_hot",
                 "argmax", "argmin", "categorical_crossentropy", "binary_crossentropy",
                 "sparse_categorical_crossentropy", "mean_squared_error", "divide_no_nan"})
# What creates trainable weights: a value computed from one carries a gradient.
WEIGHT_MAKERS = frozenset({"Variable", "get_variable", "variable", "add_weight", "add_variable", "model_variable"})
# Namespaces of functional layer APIs (`tf.layers.dense(x, 10)`): their result is a model output.
LAYER_NAMESPACES = ("tensorflow.layers", "tensorflow.compat.v1.layers", "tensorflow.contrib.layers",
                    "tensorflow.contrib.slim", "tf_slim", "slim", "keras.layers", "tflearn")
# Keras model and layer classes: calling an instance gives a model output.
MODEL_CLASSES = frozenset({"keras.Model", "keras.Sequential", "keras.models.Model", "keras.models.Sequential"})
# Data fed to a TF1 graph or a functional model: no gradient flows into it.
DATA_MAKERS = frozenset({"tensorflow.placeholder", "tensorflow.compat.v1.placeholder", "keras.Input",
                         "tensorflow.placeholder_with_default", "tensorflow.compat.v1.placeholder_with_default"})
# Kinds of taint that carry a gradient: a hazard matters only on these.
GRADIENT_KINDS = frozenset({"prediction", "derived", "weights"})

# Libraries whose functions carry the inputs' values through to their results.
TENSOR_PACKAGES = frozenset({"keras", "tensorflow", "numpy", "math", "jax", "torch", "scipy"})

KERAS_EPSILONS = frozenset({"keras.backend.epsilon", "keras.config.epsilon"})
FINFO_CONSTANTS = {"eps": {16: 2.0**-10, 32: 2.0**-23, 64: 2.0**-52},
                   "tiny": {16: 2.0**-14, 32: 2.0**-126, 64: 2.0**-1022}}
PYTHON_EPSILONS = {"sys.float_info.epsilon": 2.0**-52}
KERAS_DEFAULT_EPSILON = 1e-7

# A bare literal this small added to a value reads as an epsilon; a larger one (`1 - p`, `0.5 + 0.5 * p`)
# shifts the value and does not keep it away from 0.
EPSILON_LITERAL_MAX = 1e-2
EXP_SAFE_ARGUMENT = 80.0  # exp overflows float32 above ~88.7

TARGET_PARAMS = frozenset({"y_true", "ytrue", "y_t", "yt", "true", "y", "target", "targets", "y_target", "label",
                           "labels", "y_label", "y_labels", "gt", "y_gt", "ground_truth", "truth", "y_actual",
                           "actual", "true_labels", "mask", "masks", "y_mask", "true_mask", "t"})
PREDICTION_HINTS = ("pred", "hat", "logit", "output", "prob", "score")
LOSS_BASES = ("Loss",)
METRIC_BASES = ("Metric", "MeanMetricWrapper")
LIKELIHOOD_NAMES = ("likelihood", "log_prob", "logprob", "loglik")
