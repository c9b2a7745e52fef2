"""The numeric ops of a function body: logs, divisions (and reciprocals), square roots (and roots as
powers), negative powers and exps, each with the operand that must stay in its safe domain."""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from kerlint.extract.numerics.evaluator import Evaluator
from kerlint.extract.numerics.syntax import Where, call_argument
from kerlint.extract.numerics.vocabulary import DIVIDES, EXPS, LOGS, POWERS, RECIPROCALS, SQRTS


@dataclass(frozen=True)
class Op:
    kind: str
    operand: cst.BaseExpression
    node: cst.CSTNode
    numerator: cst.BaseExpression | None = None  # for divisions


def classify(evaluator: Evaluator, node: cst.CSTNode, where: Where) -> Op | None:
    """The numeric op a call, division or power is, if any."""
    if isinstance(node, cst.Call):
        return _classify_call(evaluator, node, where)
    if isinstance(node, cst.BinaryOperation):
        if isinstance(node.operator, cst.Divide):
            return Op("divide", node.right, node, node.left)
        return _power_op(evaluator, node, node.left, node.right, where)
    if isinstance(node, cst.AugAssign):
        if isinstance(node.operator, cst.DivideAssign):
            return Op("divide", node.value, node, node.target)
        return _power_op(evaluator, node, node.target, node.value, where)
    return None


def _classify_call(evaluator: Evaluator, call: cst.Call, where: Where) -> Op | None:
    name = evaluator.math_name(call)
    if name is None:
        return None
    first = call_argument(call, 0, ("x", "a", "input", "x1"))
    if name in DIVIDES:
        denominator = call_argument(call, 1, ("y", "x2", "b"))
        return Op("divide", denominator, call, first) if denominator is not None else None
    if first is None:
        return None
    if name in LOGS:
        return Op("log", first, call)
    if name in SQRTS:
        # sqrt's hazard is its infinite slope at 0: NumPy and math compute no gradients
        return None if (evaluator.ctx.callee(call) or "").startswith(("numpy.", "math.")) else Op("sqrt", first, call)
    if name == "norm" and _distance(evaluator, call, first, where):
        return Op("sqrt", first, call)  # the Euclidean norm is sqrt(sum(x**2)): an infinite slope where a == b
    if name in EXPS:
        return Op("exp", first, call)
    if name in RECIPROCALS:
        return Op("divide", first, call)
    if name in POWERS:
        exponent = call_argument(call, 1, ("y", "x2", "b", "exponent"))
        return _power_op(evaluator, call, first, exponent, where) if exponent is not None else None
    return None


def _distance(evaluator: Evaluator, call: cst.Call, operand: cst.BaseExpression, where: Where) -> bool:
    """`tf.norm(a - b)`: the Euclidean distance between two tensors, which training drives to 0 (a positive
    pair, an anchor and its positive). A norm of one tensor (normalizing an embedding) is left alone."""
    if (evaluator.ctx.callee(call) or "").startswith(("numpy.", "math.")):
        return False
    order = call_argument(call, 1, ("ord",))
    if order is not None and not (isinstance(order, cst.SimpleString) and "euclidean" in order.value
                                  or evaluator.value(order, where) == 2):
        return False
    if isinstance(operand, cst.Name):
        resolved = evaluator.resolve(operand, where)
        operand = resolved.value if resolved is not None and resolved.exact and resolved.value is not None else operand
    return isinstance(operand, cst.BinaryOperation) and isinstance(operand.operator, cst.Subtract)


def _power_op(evaluator: Evaluator, node, base, exponent, where: Where) -> Op | None:
    """x ** k: a negative power (k < 0) or a root-like one (0 < k < 1, infinite slope at 0)."""
    k = evaluator.value(exponent, where)
    if k is None:
        return None
    if k < 0:
        return Op("power", base, node)
    if 0 < k < 1:
        return Op("sqrt", base, node)
    return None
