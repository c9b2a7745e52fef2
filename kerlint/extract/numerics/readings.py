"""How a custom loss reads its prediction: as a probability in [0, 1] (a Dice/IoU overlap ratio, the
complement log(1 - y_pred), the log of the prediction clipped into [eps, 1]), which only a sigmoid/softmax
output provides."""

from __future__ import annotations

import libcst as cst

from kerlint.extract.numerics.evaluator import Evaluator
from kerlint.extract.numerics.ops import classify
from kerlint.extract.numerics.syntax import Function, additive_terms, clip_ceiling
from kerlint.extract.numerics.vocabulary import CLIPS, GRADIENT_KINDS, SUMS


def probability_reading(evaluator: Evaluator) -> str | None:
    """The op that reads the prediction as a probability, as written; None when none does."""
    for node in evaluator.module.ops.in_function(evaluator.function):
        where = evaluator.where(node)
        op = classify(evaluator, node, where)
        if op is None:
            continue
        if op.kind == "divide" and op.numerator is not None and overlap(evaluator, op.numerator, op.operand, where):
            return evaluator.ctx.text(node, 80)
        if op.kind == "log" and (_complement_of_prediction(evaluator, op.operand, where)
                                 or _clipped_into_unit_interval(evaluator, op.operand, where)):
            return evaluator.ctx.text(node, 80)
    return None


def _clipped_into_unit_interval(evaluator: Evaluator, operand, where) -> bool:
    """`log(clip(y_pred, eps, 1))`: a ceiling of at most 1 says the prediction is a probability (a Poisson or
    other rate loss takes the log of a positive prediction, but never caps it at 1)."""
    for _ in range(8):
        if not isinstance(operand, (cst.Name, cst.Attribute)):
            break
        resolved = evaluator.resolve(operand, where)
        if resolved is None or resolved.value is None or not resolved.exact:
            return False
        operand, where = resolved.value, resolved.where
    if not (isinstance(operand, cst.Call) and evaluator.math_name(operand) in CLIPS and operand.args):
        return False
    ceiling = clip_ceiling(operand)
    bound = evaluator.value(ceiling, where) if ceiling is not None else None
    return (bound is not None and bound <= 1.0
            and "prediction" in evaluator.taint(operand.args[0].value, where))


def overlap(evaluator: Evaluator, numerator, denominator, where) -> bool:
    """`sum(y_true * y_pred)` over a sum of the prediction: Dice, Jaccard/IoU, Tversky. The product weighs the
    prediction by the targets alone (a model's output computed from the data is no target: `sum(za * zb)` of
    two embeddings is a cosine's numerator, not an overlap)."""
    kinds = evaluator.taint(numerator, where)
    if not ("target" in kinds and kinds & GRADIENT_KINDS and evaluator.carries_gradient(denominator, where)):
        return False
    return evaluator.find(numerator, where, lambda node, at: isinstance(node, cst.Call)
                          and evaluator.math_name(node) in SUMS and _target_weighted(evaluator, node, at)) is not None


def _target_weighted(evaluator: Evaluator, node, where) -> bool:
    """Inside the sum, `y * p`: one factor computed from the targets alone, the other carrying a gradient."""
    return evaluator.find(node, where, lambda product, at: _weighted_product(evaluator, product, at)) is not None


def _weighted_product(evaluator: Evaluator, product, where) -> bool:
    product = evaluator.arithmetic(product)
    if not (isinstance(product, cst.BinaryOperation) and isinstance(product.operator, cst.Multiply)):
        return False
    return any(evaluator.taint(weight, where) and not evaluator.carries_gradient(weight, where)
               and evaluator.carries_gradient(value, where)
               for weight, value in ((product.left, product.right), (product.right, product.left)))


def _complement_of_prediction(evaluator: Evaluator, operand, where) -> bool:
    """`1 - y_pred`: the prediction is read as a probability whose complement is the other class's."""
    terms = additive_terms(evaluator.arithmetic(operand))
    return (len(terms) == 2 and terms[0][0] > 0 and terms[1][0] < 0 and evaluator.value(terms[0][1], where) == 1.0
            and bool(evaluator.taint(terms[1][1], where) & {"prediction"}))


def called_functions(module, function: Function) -> list[str]:
    """The names of the module's functions a function calls."""
    if isinstance(function, cst.Lambda):
        return []
    names = []
    for site in module.ctx.tables.calls:
        if site.scope is function and isinstance(site.call.func, cst.Name):
            name = site.call.func.value
            if name in module.ctx.tables.functions and name not in names:
                names.append(name)
    return names
