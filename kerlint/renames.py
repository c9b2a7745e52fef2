"""Fixes that rename a keyword argument or a method, computed from the source and offered only when the
result is exactly right (no duplicate keyword, no `**kwargs`, the same positional meaning): no fix beats a
wrong one. Rules call these with the span their finding points at.
"""

from __future__ import annotations

import ast
import re
from typing import Collection

from kerlint.diagnostic import Span
from kerlint.fix import Applicability, Edit, Fix
from kerlint.source import SourceText

KEYWORD = re.compile(r"[A-Za-z_]\w*\s*=\s*")


def rename_keyword(source: SourceText | None, span: Span, old: str, new: str) -> Fix | None:
    """`f(old=...)` -> `f(new=...)` for the keyword starting at `span`; None when `f` already passes `new`
    (or `old` twice), or the text there is not `old`."""
    if source is None:
        return None
    for call in source.calls():
        names = [keyword.arg for keyword in call.keywords]
        for keyword in call.keywords:
            if keyword.arg != old or keyword.lineno != span.line:
                continue
            if source.column(keyword.lineno, keyword.col_offset) != span.col:
                continue
            if new in names or names.count(old) > 1:
                return None  # the call already passes the new name: renaming would make it a duplicate
            if source.lines[span.line - 1][span.col : span.col + len(old)] != old:
                return None
            return Fix(f"Replace `{old}` with `{new}`", (Edit(Span(span.line, span.col, span.line, span.col + len(old)), new),))
    return None


def rename_method(source: SourceText | None, span: Span, new: str, accepted: Collection[str]) -> Fix | None:
    """`obj.old(single_positional, k=...)` -> `obj.new(...)`, `span` being the method name; only when the call has
    exactly one positional argument and every keyword is in `accepted` (same name, same meaning)."""
    if source is None:
        return None
    for call in source.calls():
        func = call.func
        if not isinstance(func, ast.Attribute) or func.end_lineno != span.line:
            continue
        if source.column(func.end_lineno, func.end_col_offset) != span.end_col:
            continue
        old = func.attr
        if len(call.args) != 1 or isinstance(call.args[0], ast.Starred):
            return None
        if any(keyword.arg is None or keyword.arg not in accepted for keyword in call.keywords):
            return None
        if span.end_line != span.line or source.lines[span.line - 1][span.col : span.end_col] != old:
            return None
        return Fix(f"Replace `{old}` with `{new}`", (Edit(span, new),))
    return None


def rename_string(
    source: SourceText | None, span: Span, old: str, new: str, title: str, applicability: Applicability = "safe",
) -> Fix | None:
    """The string literal `'old'` at `span` (or the keyword argument `name='old'` there) -> `'new'`, in the same
    quotes; None when the text there is not a plain one-line literal of `old` (an f-string, a concatenation, a name)."""
    if source is None or span.line != span.end_line:
        return None
    text = source.lines[span.line - 1][span.col : span.end_col]
    keyword = KEYWORD.match(text)
    if keyword:
        span, text = Span(span.line, span.col + keyword.end(), span.end_line, span.end_col), text[keyword.end():]
    quote = text[-1:] if text[-1:] in ("'", '"') else ""
    try:
        value = ast.literal_eval(text)
    except (SyntaxError, ValueError):
        return None
    if value != old or not quote or not text.startswith(quote) or text.startswith(quote * 3):
        return None  # a prefixed (r'', b''), triple-quoted or otherwise unusual literal: leave it
    return Fix(title, (Edit(span, f"{quote}{new}{quote}"),), applicability)
