"""Fixes that give a call a keyword argument (`clipnorm=1.0`, `epsilon=1e-7`), computed from the source and
offered only when the edit is exact: the call is found at the finding's span, takes no `**kwargs` (which
could already hold the name) and, for an added keyword, does not pass it yet."""

from __future__ import annotations

import ast

from kerlint.diagnostic import Span
from kerlint.fix import Applicability, Edit, Fix
from kerlint.source import SourceText


def call_at(source: SourceText, span: Span) -> ast.Call | None:
    """The call whose text starts at `span`'s start and ends at its end."""
    for call in source.calls():
        if (call.lineno, call.end_lineno) != (span.line, span.end_line):
            continue
        start, end = source.column(call.lineno, call.col_offset), source.column(call.end_lineno, call.end_col_offset)
        if (start, end) == (span.col, span.end_col):
            return call
    return None


def set_keyword(
    source: SourceText | None, call_span: Span, name: str, value: str, title: str, applicability: Applicability,
) -> Fix | None:
    """`f(..., name=value)`: the keyword's value replaced when it is passed, else the keyword added after the
    last argument; None when the call can't be found exactly or takes `**kwargs`."""
    if source is None:
        return None
    call = call_at(source, call_span)
    if call is None or any(keyword.arg is None for keyword in call.keywords):
        return None
    for keyword in call.keywords:
        if keyword.arg == name:
            node = keyword.value
            span = Span(node.lineno, source.column(node.lineno, node.col_offset),
                        node.end_lineno, source.column(node.end_lineno, node.end_col_offset))
            return Fix(title, (Edit(span, value),), applicability)
    arguments = [*call.args, *call.keywords]
    if arguments:
        last = max(arguments, key=lambda node: (node.end_lineno, node.end_col_offset))
        after_last = Span.point(last.end_lineno, source.column(last.end_lineno, last.end_col_offset))
        return Fix(title, (Edit(after_last, f", {name}={value}"),), applicability)
    closing = Span.point(call_span.end_line, call_span.end_col - 1)
    if source.lines[closing.line - 1][closing.col : closing.col + 1] != ")":
        return None
    return Fix(title, (Edit(closing, f"{name}={value}"),), applicability)


# Modules whose `log` has a `maximum` beside it taking (x, y) the same way.
MAXIMUM_BESIDE_LOG = frozenset({"K", "ops", "keras.ops", "keras.backend", "tf", "tf.math", "np", "numpy"})
LOG_FLOOR = "1e-7"  # Keras' backend epsilon


def floor_log_argument(source: SourceText | None, call_span: Span) -> Fix | None:
    """Unsafe (it changes the loss and zeroes the gradient below the floor): `M.log(x)` -> `M.log(M.maximum(x, 1e-7))`,
    for a one-argument log of a module in MAXIMUM_BESIDE_LOG."""
    if source is None:
        return None
    call = call_at(source, call_span)
    if call is None or len(call.args) != 1 or call.keywords or isinstance(call.args[0], ast.Starred):
        return None
    func = call.func
    if not isinstance(func, ast.Attribute) or func.attr != "log":
        return None
    module = ast.unparse(func.value)
    if module not in MAXIMUM_BESIDE_LOG:
        return None
    arg = call.args[0]
    span = Span(arg.lineno, source.column(arg.lineno, arg.col_offset), arg.end_lineno, source.column(arg.end_lineno, arg.end_col_offset))
    if span.line != span.end_line:
        return None
    text = source.lines[span.line - 1][span.col : span.end_col]
    return Fix(f"Floor the log's argument at {LOG_FLOOR}", (Edit(span, f"{module}.maximum({text}, {LOG_FLOOR})"),), "unsafe")
