"""Reading libcst expressions as written: call arguments, operands, literal numbers, additive terms.
Nothing here resolves a name."""

from __future__ import annotations

import ast

import libcst as cst

from kerlint.diagnostic import Span
from kerlint.extract.collect import Scope

Position = tuple[int, int]
Function = cst.FunctionDef | cst.Lambda
Where = tuple[Scope, "Position | None"]  # where an expression is evaluated: its scope, and the point in it

CLIP_FLOOR_KEYWORDS = ("min_value", "clip_value_min", "a_min", "x_min")
CLIP_CEILING_KEYWORDS = ("max_value", "clip_value_max", "a_max", "x_max")


def inside(position: Position, span: Span) -> bool:
    return (span.line, span.col) <= position < (span.end_line, span.end_col)


def is_self_attribute(expr: cst.CSTNode) -> bool:
    return isinstance(expr, cst.Attribute) and isinstance(expr.value, cst.Name) and expr.value.value == "self"


def call_argument(call: cst.Call, index: int, keywords: tuple[str, ...]) -> cst.BaseExpression | None:
    """A call's argument by position or by one of its keyword names."""
    positional = [arg for arg in call.args if arg.keyword is None and not arg.star]
    if index < len(positional):
        return positional[index].value
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value in keywords:
            return arg.value
    return None


def clip_floor(call: cst.Call) -> cst.BaseExpression | None:
    """The lower bound of a clip (K.clip, tf.clip_by_value, np.clip)."""
    return call_argument(call, 1, CLIP_FLOOR_KEYWORDS)


def clip_ceiling(call: cst.Call) -> cst.BaseExpression | None:
    """The upper bound of a clip."""
    return call_argument(call, 2, CLIP_CEILING_KEYWORDS)


def selection(call: cst.Call) -> tuple[cst.BaseExpression, cst.BaseExpression, cst.BaseExpression] | None:
    """(condition, if-true, if-false) of tf.where / K.switch / ops.where; None for other forms."""
    parts = (call_argument(call, 0, ("condition", "cond")), call_argument(call, 1, ("x", "then_expression", "x1")),
             call_argument(call, 2, ("y", "else_expression", "x2")))
    return parts if all(part is not None for part in parts) else None


def builtin_name(call: cst.Call) -> str | None:
    return call.func.value if isinstance(call.func, cst.Name) and call.func.value in ("len", "float", "int") else None


def unpack(value: cst.BaseExpression | None, path: tuple[int, ...]) -> tuple[cst.BaseExpression | None, bool]:
    """The element of `value` a tuple-unpacking target received; (value, False) when it can't be indexed."""
    for index in path:
        if isinstance(value, (cst.Tuple, cst.List)) and index < len(value.elements):
            element = value.elements[index]
            if isinstance(element, cst.StarredElement):
                return value, False
            value = element.value
        else:
            return value, False
    return value, True


def additive_terms(expr: cst.BaseExpression, sign: int = 1) -> list[tuple[int, cst.BaseExpression]]:
    """`a - b + c` -> [(1, a), (-1, b), (1, c)]."""
    if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, (cst.Add, cst.Subtract)):
        right_sign = sign if isinstance(expr.operator, cst.Add) else -sign
        return additive_terms(expr.left, sign) + additive_terms(expr.right, right_sign)
    return [(sign, expr)]


# --- operands ----------------------------------------------------------------------------------------


def operands(node: cst.CSTNode) -> list[cst.CSTNode]:
    """The sub-expressions an expression reads (never keyword names, attribute names or lambda bodies).

    Common node types are taken apart directly: libcst's generic `children` runs a visitor and costs
    far more than the analysis itself."""
    reader = _OPERAND_READERS.get(type(node))
    if reader is not None:
        return reader(node)
    if isinstance(node, (cst.BaseNumber, cst.BaseString, cst.Name, cst.Lambda, cst.Ellipsis)):
        return []
    return [child for child in node.children if isinstance(child, _EXPRESSION_PARTS)]


def _slice_operands(element: cst.SubscriptElement) -> list[cst.CSTNode]:
    part = element.slice
    if isinstance(part, cst.Index):
        return [part.value]
    return [bound for bound in (part.lower, part.upper, part.step) if bound is not None]


_OPERAND_READERS = {
    cst.BinaryOperation: lambda node: [node.left, node.right],
    cst.BooleanOperation: lambda node: [node.left, node.right],
    cst.UnaryOperation: lambda node: [node.expression],
    cst.Comparison: lambda node: [node.left, *(target.comparator for target in node.comparisons)],
    cst.Call: lambda node: [arg.value for arg in node.args],
    cst.Arg: lambda node: [node.value],
    cst.Attribute: lambda node: [node.value],
    cst.Subscript: lambda node: [node.value, *(part for element in node.slice for part in _slice_operands(element))],
    cst.Tuple: lambda node: [element.value for element in node.elements],
    cst.List: lambda node: [element.value for element in node.elements],
    cst.Set: lambda node: [element.value for element in node.elements],
    cst.IfExp: lambda node: [node.test, node.body, node.orelse],
    cst.NamedExpr: lambda node: [node.value],
    cst.Await: lambda node: [node.expression],
    cst.StarredElement: lambda node: [node.value],
    cst.Element: lambda node: [node.value],
}
_EXPRESSION_PARTS = (cst.BaseExpression, cst.BaseElement, cst.BaseDictElement, cst.SubscriptElement, cst.BaseSlice,
                     cst.ComparisonTarget, cst.CompFor, cst.CompIf, cst.FormattedStringExpression)


# --- numbers -----------------------------------------------------------------------------------------


def literal_number(expr: cst.CSTNode) -> float | None:
    if not isinstance(expr, (cst.Integer, cst.Float)):
        return None
    try:
        return float(ast.literal_eval(expr.value))
    except (ValueError, SyntaxError, OverflowError):
        return None


def literal_like(expr: cst.BaseExpression) -> bool:
    """A number written in place (`1`, `-1.0`, `1. / 2`), as opposed to a named constant."""
    if isinstance(expr, (cst.Integer, cst.Float)):
        return True
    if isinstance(expr, cst.UnaryOperation):
        return literal_like(expr.expression)
    if isinstance(expr, cst.BinaryOperation):
        return literal_like(expr.left) and literal_like(expr.right)
    return False


def arithmetic(operator: cst.BaseBinaryOp, left: float | None, right: float | None) -> float | None:
    """`left operator right` on two known numbers; None when either is unknown or the result is not a float."""
    if left is None or right is None:
        return None
    try:
        if isinstance(operator, cst.Add):
            return left + right
        if isinstance(operator, cst.Subtract):
            return left - right
        if isinstance(operator, cst.Multiply):
            return left * right
        if isinstance(operator, cst.Divide):
            return left / right
        if isinstance(operator, cst.Power):
            result = left**right
            return result if isinstance(result, float) else None
    except (ZeroDivisionError, OverflowError, ValueError):
        return None
    return None


def float_bits(dtype_text: str) -> int | None:
    """The width of a float dtype as written (`np.float32` -> 32)."""
    text = dtype_text.lower()
    for bits in (16, 32, 64):
        if str(bits) in text:
            return bits
    if "single" in text:
        return 32
    if text in ("float", "'float'", '"float"', "np.float_", "np.double", "numpy.double", "double", "'double'"):
        return 64
    return None
