"""The numeric hazards inside one custom function: its ops, what guards each, and the small constants
those guards (and the clips and maximums applied to its inputs) rely on."""

from __future__ import annotations

from typing import Iterator

import libcst as cst

from kerlint.extract.numerics.constants import ConstantSource
from kerlint.extract.numerics.evaluator import Evaluator
from kerlint.extract.numerics.guards import Guard
from kerlint.extract.numerics.heads import head_of
from kerlint.extract.numerics.ops import Op, classify
from kerlint.extract.numerics.syntax import Where, additive_terms, call_argument
from kerlint.extract.numerics.vocabulary import CLIPS, EXPS, LOGS, MAXIMUMS, SUMS
from kerlint.facts import NumericOp, SmallConstant


def numeric_ops(evaluator: Evaluator, name: str, nodes: list[tuple[cst.CSTNode, Where]] | None = None,
                gradient_path: bool = False) -> tuple[list[NumericOp], list[SmallConstant]]:
    """The ops of the function `name` (or the given nodes, each with where it is read) and the small
    constants they depend on, in source order. `gradient_path`: the code is on a model's gradient path
    outside a loss function (a tape or minimize target, add_loss, a helper they call)."""
    if nodes is None:
        nodes = [(node, evaluator.where(node)) for node in evaluator.module.ops.in_function(evaluator.function)]
    classified = []
    for node, where in nodes:
        op = classify(evaluator, node, where)
        if op is not None:
            classified.append((op, where))
    idioms = _idioms(evaluator, classified)
    classified = [(op, where) for op, where in classified
                  if not _parameterization(evaluator, op, where, gradient_path, idioms)]
    ops, constants = [], {}
    for call, source in _bound_constants(evaluator, nodes):
        constants.setdefault(source.span, _small_constant(source, name, evaluator.ctx.text(call)))
    for op, where in classified:
        numeric, guard = _numeric_op(evaluator, op, where, name, idioms.get(id(op.node)))
        ops.append(numeric)
        if (numeric.depends_on_prediction and guard is not None and not _entropy_term(evaluator, op, where)
                and not _clipped_squash(evaluator, op.operand, where)):
            for source in guard.constants:
                constants.setdefault(source.span, _small_constant(source, name, numeric.text))
    return ops, sorted(constants.values(), key=lambda c: (c.span.line, c.span.col))


def _parameterization(evaluator: Evaluator, op: Op, where: Where, gradient_path: bool, idioms: dict[int, str]) -> bool:
    """A lone exp on a model's gradient path outside a loss function (a tape or minimize target, add_loss, a
    Lambda layer), or of a model-graph tensor a loss closes over: a parameterization (`exp(z_log_var)` of a
    VAE's encoder output, a positive scale) that training keeps small. Not reported; the idioms with a stable
    replacement (softplus, logsumexp, a hand-written softmax) and an exp of a column of the prediction itself
    (`exp(out[:, 1])`, read as a log-scale exactly as a loss function's `exp(y_pred[..., 1])`) still are."""
    if op.kind != "exp" or id(op.node) in idioms or _output_column(evaluator, op.operand, where):
        return False
    return gradient_path or _captured(evaluator, op.operand, where)


def _captured(evaluator: Evaluator, expr: cst.BaseExpression, where: Where) -> bool:
    """Computed from none of the function's own inputs (`K.exp(z_log_var)` in the KL term of a Keras VAE's
    loss, with z_log_var a layer output of the module)."""
    if not evaluator.resolution.sources:
        return False
    return evaluator.find(expr, where, lambda node, at: _reads_input(evaluator, node, at)) is None


def _reads_input(evaluator: Evaluator, node: cst.CSTNode, where: Where) -> bool:
    if not isinstance(node, cst.Name):
        return False
    resolved = evaluator.resolve(node, where)
    return resolved is not None and resolved.source is not None


def _output_column(evaluator: Evaluator, expr: cst.BaseExpression, where: Where) -> bool:
    """A column of one tensor of the prediction (`out[:, 1]`, `out[..., 1]`; not one of a model's several
    outputs, `outputs[1]`), through names, signs and constant scales."""
    for _ in range(12):
        if isinstance(expr, cst.UnaryOperation):
            expr = expr.expression
        elif isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, (cst.Multiply, cst.Divide)):
            if evaluator.value(expr.left, where) is not None:
                expr = expr.right
            elif evaluator.value(expr.right, where) is not None:
                expr = expr.left
            else:
                return False
        elif isinstance(expr, cst.Name):
            resolved = evaluator.resolve(expr, where)
            if resolved is None or resolved.value is None or not resolved.exact:
                return False
            expr, where = resolved.value, resolved.where
        elif isinstance(expr, cst.Subscript):
            return len(expr.slice) > 1 and "prediction" in evaluator.taint(expr.value, where)
        else:
            return False
    return False


def _small_constant(source: ConstantSource, function: str, use: str) -> SmallConstant:
    return SmallConstant(source.value, source.text, source.span, function, use, how=source.how)


def _bound_constants(evaluator: Evaluator, nodes: list[tuple[cst.CSTNode, Where]]) -> Iterator[tuple[cst.Call, ConstantSource]]:
    """The constants of clips and maximums applied to input-derived values: the floor (1e-15 in
    K.clip(y_pred, 1e-15, 1 - 1e-15)) keeps a later log or ratio finite, and the eps of a `1 - eps`
    ceiling keeps log(1 - p) finite. The ceiling comes first: its failure is the worse one."""
    for node, where in nodes:
        if not isinstance(node, cst.Call):
            continue
        name = evaluator.math_name(node)
        first = call_argument(node, 0, ("x", "t"))
        if name in CLIPS and first is not None and evaluator.carries_gradient(first, where):
            ceiling = evaluator.ceiling_constant(node, where)
            if ceiling is not None:
                yield node, ceiling
            if _weights_its_own_log(evaluator, node, where) or _squashed(evaluator, first, where):
                continue
            guard = evaluator.clip_floor_guard(node, where)
        elif name in MAXIMUMS and any(evaluator.carries_gradient(arg.value, where) for arg in node.args[:2]):
            guard = evaluator.maximum_guard(node, where)
        else:
            continue
        for source in guard.constants if guard is not None else ():
            yield node, source


def ctx_text(evaluator: Evaluator, node: cst.CSTNode) -> str:
    return evaluator.ctx.text(node)


def _weights_its_own_log(evaluator: Evaluator, clip: cst.Call, where: Where) -> bool:
    """`p = clip(x, eps, 1)` used as `p * log(p)` (an entropy): the gradient log(p) + 1 is bounded by
    |log eps| + 1, so a small floor is no 1/eps hazard."""
    ctx = evaluator.ctx
    names = {binding.name for bindings in ctx.tables.bindings.get(where[0], {}).values()
             for binding in bindings if binding.value is clip}
    texts = names | {ctx.text(clip)}
    for product in evaluator.module.ops.products_in(where[0]):
        for factor, other in ((product.left, product.right), (product.right, product.left)):
            if (ctx.text(factor) in texts and isinstance(other, cst.Call) and evaluator.math_name(other) in LOGS
                    and other.args and ctx.text(other.args[0].value) == ctx.text(factor)):
                return True
    return False


def _squashed(evaluator: Evaluator, expr: cst.BaseExpression, where: Where) -> bool:
    """A softmax or sigmoid output: clipped at a floor before a log, the gradient with respect to its
    logits stays bounded (at most 1 per unit), and the clip passes none below the floor."""
    head = head_of(evaluator, expr, where)
    return head is not None and head.name in ("softmax", "sigmoid")


def _clipped_squash(evaluator: Evaluator, operand: cst.BaseExpression, where: Where) -> bool:
    """The operand is (a name for) a clip of a softmax or sigmoid output."""
    for _ in range(8):
        if isinstance(operand, (cst.Name, cst.Attribute)):
            resolved = evaluator.resolve(operand, where)
            if resolved is None or resolved.value is None:
                return False
            operand, where = resolved.value, resolved.where
        elif isinstance(operand, cst.Call) and evaluator.math_name(operand) in CLIPS and operand.args:
            return _squashed(evaluator, operand.args[0].value, where)
        else:
            return False
    return False


def _entropy_term(evaluator: Evaluator, op: Op, where: Where) -> bool:
    """The log of `p * log(p)` or `p * log(p + eps)`: its guard's floor bounds the gradient log(p) + 1 (at
    most |log eps| + 1), no 1/eps hazard."""
    if op.kind != "log":
        return False
    ctx = evaluator.ctx
    weights = {ctx.text(op.operand)}
    terms = additive_terms(evaluator.arithmetic(op.operand))
    tainted = [term for sign, term in terms if sign > 0 and evaluator.taint(term, where)]
    if len(terms) == 2 and len(tainted) == 1:
        weights.add(ctx.text(tainted[0]))
    return any((product.right is op.node and ctx.text(product.left) in weights)
               or (product.left is op.node and ctx.text(product.right) in weights)
               for product in evaluator.module.ops.products_in(where[0]))


def _numeric_op(evaluator: Evaluator, op: Op, where: Where, name: str, idiom: str | None) -> tuple[NumericOp, Guard | None]:
    depends = evaluator.carries_gradient(op.operand, where)
    if op.kind == "exp" and idiom == "softmax":
        # a clip bounds each exp, not their sum (it overflows) nor keeps them all from underflowing to 0/0:
        # only the shift by the max (exp(x - max(x))) makes a hand-written softmax safe
        shifted = evaluator.range(op.operand, where, "exp").hi <= 0
        guard = Guard(f"{ctx_text(evaluator, op.operand)} <= 0") if shifted else None
    elif op.kind == "exp":
        guard = evaluator.exp_guard(op.operand, where)
    elif op.kind == "divide" and op.numerator is not None and evaluator.reduces(op.operand, SUMS, op.numerator):
        # `y_pred / K.sum(y_pred, axis=-1, keepdims=True)`: the sum is 0 only if every entry is, which a
        # probability output never is (a relu output feeding a crossentropy is activation-loss's case)
        guard = Guard("normalization by its own sum")
    else:
        guard = evaluator.positive(op.operand, where)
    ctx = evaluator.ctx
    head = head_of(evaluator, op.operand, where) if op.kind == "log" and depends and guard is None else None
    squashed = head if head is not None and head.name in ("softmax", "sigmoid") else None
    numeric = NumericOp(kind=op.kind, text=ctx.text(op.node), span=ctx.span(op.node), function=name,
                        depends_on_prediction=depends, guard=guard.text if guard else None,
                        operand_text=ctx.text(op.operand), idiom=idiom,
                        squashed=squashed.name if squashed else None, squashed_text=squashed.layer if squashed else None)
    return numeric, guard


def _idioms(evaluator: Evaluator, classified: list[tuple[Op, Where]]) -> dict[int, str]:
    """exp calls that are part of log(1 + exp(x)) ("softplus"), log(sum(exp(x))) ("logsumexp") or
    exp(x) / sum(exp(x)) ("softmax")."""
    found: dict[int, str] = {}
    for op, where in classified:
        if op.kind == "log":
            for term, idiom in _log_idiom_terms(evaluator, op.operand, where):
                found[id(term)] = idiom
        elif op.kind == "divide" and op.numerator is not None:
            for term in _softmax_terms(evaluator, _value(evaluator, op.numerator, where), _value(evaluator, op.operand, where)):
                found[id(term)] = "softmax"
    return found


def _value(evaluator: Evaluator, expr: cst.BaseExpression, where: Where) -> cst.BaseExpression:
    """What a local name stands for (`total = reduce_sum(exp(x)); exp(x) / total`), else the expression."""
    if isinstance(expr, cst.Name):
        resolved = evaluator.resolve(expr, where)
        if resolved is not None and resolved.value is not None and resolved.exact:
            return resolved.value
    return expr


def _softmax_terms(evaluator: Evaluator, numerator: cst.BaseExpression, denominator: cst.BaseExpression):
    """The exps of a softmax written by hand: `exp(x) / sum(exp(x))`."""
    if not isinstance(denominator, cst.Call):
        return
    inner = call_argument(denominator, 0, ("x", "input_tensor"))
    if not (isinstance(numerator, cst.Call) and evaluator.math_name(numerator) in EXPS
            and evaluator.math_name(denominator) in SUMS and isinstance(inner, cst.Call)
            and evaluator.math_name(inner) in EXPS):
        return
    yield numerator
    yield inner


def _log_idiom_terms(evaluator: Evaluator, argument: cst.BaseExpression, where: Where):
    if isinstance(argument, cst.Call) and evaluator.math_name(argument) in SUMS:
        inner = call_argument(argument, 0, ("x", "input_tensor"))
        if isinstance(inner, cst.Call) and evaluator.math_name(inner) in EXPS:
            yield inner, "logsumexp"
        return
    terms = additive_terms(argument)
    if len(terms) != 2 or any(sign < 0 for sign, _ in terms):
        return
    for sign, term in terms:
        others = [t for _, t in terms if t is not term]
        if (isinstance(term, cst.Call) and evaluator.math_name(term) == "exp"
                and evaluator.value(others[0], where) == 1.0):
            yield term, "softplus"
