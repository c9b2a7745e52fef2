"""kerlint spans (1-based lines, 0-based code-point columns) -> LSP ranges in the negotiated encoding."""

from __future__ import annotations

import re

from lsprotocol import types

from kerlint.diagnostic import Span

# LSP, tokenize and libcst all end lines at \n, \r\n or \r (str.splitlines also splits at \f, \x1c, ...).
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def split_lines(text: str) -> list[str]:
    return _LINE_BREAK.split(text)


def units(prefix: str, encoding: str) -> int:
    """How many code units of `encoding` the text `prefix` takes."""
    if encoding == types.PositionEncodingKind.Utf8:
        return len(prefix.encode("utf-8", "surrogatepass"))
    if encoding == types.PositionEncodingKind.Utf32:
        return len(prefix)
    return len(prefix.encode("utf-16-le", "surrogatepass")) // 2


def to_position(lines: list[str], line: int, col: int, encoding: str) -> types.Position:
    """1-based line and code-point column -> Position, clamped to the document."""
    index = min(max(line - 1, 0), max(len(lines) - 1, 0))
    text = lines[index] if lines else ""
    return types.Position(line=index, character=units(text[: max(col, 0)], encoding))


def to_range(lines: list[str], span: Span, encoding: str) -> types.Range:
    start = to_position(lines, span.line, span.col, encoding)
    end = to_position(lines, span.end_line, span.end_col, encoding)
    if (end.line, end.character) < (start.line, start.character):
        end = start
    return types.Range(start=start, end=end)


def from_position(lines: list[str], position: types.Position, encoding: str) -> tuple[int, int]:
    """Position -> (1-based line, code-point column)."""
    index = min(max(position.line, 0), max(len(lines) - 1, 0))
    text = lines[index] if lines else ""
    column = 0
    used = 0
    while column < len(text) and used < position.character:
        used += units(text[column], encoding)
        column += 1
    return index + 1, column
