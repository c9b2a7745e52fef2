"""Crossentropies computed in tensor code, with the activation of the tensor they are given: the
TensorFlow ops (`tf.nn.*_cross_entropy_with_logits`, `tf.losses.*`), Keras loss functions and loss
objects applied to tensors, and hand-written `y * log(p)` terms of a differentiated objective."""

from __future__ import annotations

from typing import Iterable

import libcst as cst

from kerlint.extract.collect import ModuleContext
from kerlint.extract.numerics.heads import Head, head_of
from kerlint.extract.numerics.evaluator import Analyses
from kerlint.extract.numerics.objectives import Objective
from kerlint.extract.numerics.ops import classify
from kerlint.extract.numerics.readings import overlap
from kerlint.extract.numerics.syntax import call_argument
from kerlint.extract.numerics.vocabulary import LOGS
from kerlint.facts import Activation, LossCall

TF_LOSS_NAMESPACES = ("tensorflow.nn", "tensorflow.compat.v1.nn", "tensorflow.losses", "tensorflow.compat.v1.losses",
                      "tensorflow.compat.v2.nn")
# op -> (what it expects, the prediction's keywords, its position)
TF_LOSS_OPS = {
    "softmax_cross_entropy_with_logits": ("logits", ("logits",), 1),
    "softmax_cross_entropy_with_logits_v2": ("logits", ("logits",), 1),
    "sparse_softmax_cross_entropy_with_logits": ("logits", ("logits",), 1),
    "sigmoid_cross_entropy_with_logits": ("logits", ("logits",), 1),
    "weighted_cross_entropy_with_logits": ("logits", ("logits",), 1),
    "softmax_cross_entropy": ("logits", ("logits",), 1),
    "sparse_softmax_cross_entropy": ("logits", ("logits",), 1),
    "sigmoid_cross_entropy": ("logits", ("logits",), 1),
    "log_loss": ("probabilities", ("predictions",), 1),
    "mean_squared_error": ("values", ("predictions",), 1),
    "absolute_difference": ("values", ("predictions",), 1),
}
KERAS_LOSS_NAMESPACES = ("keras.losses", "keras.ops", "keras.backend", "keras.metrics")
KERAS_LOSS_FUNCTIONS = {"categorical_crossentropy", "sparse_categorical_crossentropy", "binary_crossentropy"}
# Keras backend losses over a softmax output, and where they take it: ctc_batch_cost(y_true, y_pred, ...) logs it.
KERAS_PROBABILITY_OPS = {"ctc_batch_cost": 1}
# Regression losses: they expect values, and are judged on what they are given (a softmax head: KL111).
KERAS_REGRESSION_FUNCTIONS = {"mean_squared_error": "mse", "mse": "mse", "mean_absolute_error": "mae", "mae": "mae"}
KERAS_LOSS_CLASSES = {"CategoricalCrossentropy": "categorical_crossentropy",
                      "SparseCategoricalCrossentropy": "sparse_categorical_crossentropy",
                      "BinaryCrossentropy": "binary_crossentropy",
                      "MeanSquaredError": "mse", "MeanAbsoluteError": "mae"}
REGRESSION_OPS = frozenset({"mse", "mae", "mean_squared_error", "absolute_difference"})
KERAS_PREDICTION_KEYWORDS = ("y_pred", "output")
POSITIVE_SCALES = frozenset({"softplus", "exponential"})  # heads for a scale or a rate, whose log is a likelihood


def loss_calls(analyses: Analyses, objectives: Iterable[Objective]) -> list[LossCall]:
    found = [call for site in analyses.module.ctx.tables.calls if (call := _library_loss(analyses, site)) is not None]
    for objective in objectives:
        found += _hand_written(analyses, objective)
        found += _overlaps(analyses, objective)
    unique = {(c.span.line, c.span.col, c.op, c.activation.span): c for c in found}
    return sorted(unique.values(), key=lambda c: (c.span.line, c.span.col))


def _library_loss(analyses: Analyses, site) -> LossCall | None:
    call = site.call
    ctx = analyses.module.ctx
    callee = ctx.callee(call)
    namespace, _, last = (callee or "").rpartition(".")
    written = call  # where the loss is written, and reported
    if namespace in TF_LOSS_NAMESPACES and last in TF_LOSS_OPS:
        expects, keywords, index = TF_LOSS_OPS[last]
        prediction = _keyword(call, keywords) or call_argument(call, index, keywords)
    elif namespace in KERAS_LOSS_NAMESPACES and last in KERAS_LOSS_FUNCTIONS:
        expects = "logits" if _from_logits(call) else "probabilities"
        prediction = call_argument(call, 1, KERAS_PREDICTION_KEYWORDS)
    elif namespace in KERAS_LOSS_NAMESPACES and last in KERAS_PROBABILITY_OPS:
        expects = "probabilities"
        prediction = call_argument(call, KERAS_PROBABILITY_OPS[last], KERAS_PREDICTION_KEYWORDS)
    elif namespace in KERAS_LOSS_NAMESPACES and last in KERAS_REGRESSION_FUNCTIONS:
        last, expects = KERAS_REGRESSION_FUNCTIONS[last], "values"
        prediction = call_argument(call, 1, KERAS_PREDICTION_KEYWORDS)
    else:
        construction = _loss_object(analyses, call, site)
        if construction is None:
            return None
        if _applications(analyses, construction) > 1:  # one finding where it is built (and fixed), not one per use
            written = construction
        last = KERAS_LOSS_CLASSES[(ctx.callee(construction) or "").rpartition(".")[2]]
        expects = "values" if last in REGRESSION_OPS else "logits" if _from_logits(construction) else "probabilities"
        prediction = call_argument(call, 1, KERAS_PREDICTION_KEYWORDS)
    if prediction is None:
        return None
    evaluator = analyses.evaluator(site.scope, {})
    where = (site.scope, site.position)
    head = head_of(evaluator, prediction, where)
    if head is None or head.name == "unknown":
        return None
    if expects == "values":  # only a regression loss that fits a prediction to data (not distillation)
        labels = call_argument(call, 0, ("labels", "y_true"))
        if labels is None or evaluator.carries_gradient(labels, where):
            return None
    return LossCall(ctx.text(written), ctx.span(written), last, expects, ctx.text(prediction), _activation(ctx, head))


def _loss_object(analyses: Analyses, call: cst.Call, site) -> cst.Call | None:
    """The Keras loss object a call applies: `CategoricalCrossentropy()(y, p)` or `loss_fn(y, p)`."""
    func = call.func
    if isinstance(func, (cst.Name, cst.Attribute)) and not isinstance(func, cst.Call):
        resolved = analyses.evaluator(site.scope, {}).resolve(func, (site.scope, site.position))
        func = resolved.value if resolved is not None else None
    if isinstance(func, cst.Call) and (analyses.module.ctx.callee(func) or "").rpartition(".")[2] in KERAS_LOSS_CLASSES:
        return func
    return None


def _applications(analyses: Analyses, construction: cst.Call) -> int:
    """How many calls apply the loss object `construction` builds (`bce(y_real, real)`, `bce(y_fake, fake)`)."""
    return sum(1 for site in analyses.module.ctx.tables.calls
               if not isinstance(site.call.func, cst.Call) and _loss_object(analyses, site.call, site) is construction)


def _keyword(call: cst.Call, keywords: tuple[str, ...]) -> cst.BaseExpression | None:
    return next((arg.value for arg in call.args if arg.keyword is not None and arg.keyword.value in keywords), None)


def _from_logits(call: cst.Call) -> bool:
    value = _keyword(call, ("from_logits",))
    return isinstance(value, cst.Name) and value.value == "True"


def _hand_written(analyses: Analyses, objective: Objective) -> list[LossCall]:
    """`log(p)` of a differentiated objective where p is not a probability (a linear or relu output). The log
    of a positive output (softplus, exp) written by hand is a likelihood's: the `log(sigma)` of a Gaussian,
    the `rate - y * log(rate)` of a Poisson; KL401 looks after its domain."""
    module = analyses.module
    ctx = module.ctx
    found = []
    for node, where in [*objective.ops, *_helper_ops(analyses, objective)]:
        if not (isinstance(node, cst.Call) and module.math_name(node) in LOGS and node.args):
            continue
        evaluator = analyses.evaluator(where[0], {})
        head = head_of(evaluator, node.args[0].value, where)
        if head is None or head.name == "unknown":
            continue
        if head.name in POSITIVE_SCALES:
            continue
        found.append(LossCall(ctx.text(node), ctx.span(node), "log", "probabilities", ctx.text(node.args[0].value),
                              _activation(ctx, head), hand_written=True))
    return found


def _helper_ops(analyses: Analyses, objective: Objective) -> list[tuple[cst.CSTNode, tuple]]:
    """The ops inside the module's functions an objective calls (`loss = crossentropy(y, model(x))`), read in
    the helper, where its parameters stand for what its call sites pass."""
    module = analyses.module
    found = []
    for call, _ in objective.helpers:
        definitions = module.ctx.tables.functions.get(call.func.value, [])
        if len(definitions) != 1:
            continue
        for node in module.ops.in_function(definitions[0]):
            start = module.ctx.span(node)
            found.append((node, (definitions[0], (start.line, start.col))))
    return found


def _overlaps(analyses: Analyses, objective: Objective) -> list[LossCall]:
    """A Dice/IoU overlap `sum(y * p) / (...)` of a differentiated objective: it reads the prediction p as a
    fraction in [0, 1]; p's activation, when it can be told, is what the rules judge."""
    ctx = analyses.module.ctx
    found = []
    for node, where in objective.ops:
        evaluator = analyses.evaluator(where[0], objective.sources if where[0] is objective.scope else {})
        op = classify(evaluator, node, where)
        if op is None or op.kind != "divide" or op.numerator is None:
            continue
        if not overlap(evaluator, op.numerator, op.operand, where):
            continue
        heads: list[tuple[cst.CSTNode, Head]] = []
        evaluator.find(op.numerator, where, lambda expr, at: _known_head(evaluator, expr, at, heads))
        if heads:
            prediction, head = heads[0]
            found.append(LossCall(ctx.text(node, 80), ctx.span(node), "overlap", "fraction", ctx.text(prediction),
                                  _activation(ctx, head), hand_written=True))
    return found


def _known_head(evaluator, expr: cst.CSTNode, where, heads: list) -> bool:
    if not isinstance(expr, cst.BaseExpression) or not evaluator.carries_gradient(expr, where):
        return False
    head = head_of(evaluator, expr, where)
    if head is None or head.name == "unknown":
        return False
    heads.append((expr, head))
    return True


def _activation(ctx: ModuleContext, head: Head) -> Activation:
    return Activation(head.name, head.span or ctx.span(head.node), head.layer, head.units)
