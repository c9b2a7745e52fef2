"""Parse successive versions of one document (an editor's), re-parsing only the top-level statements
an edit touched and reusing the parsed nodes of all the others.

Top-level statements parse independently: each ends with a newline at column 0, outside any bracket,
so the text between two statement boundaries parses on its own into the statements a whole-file parse
would find there. An edit is located by the text the old and new versions share at the start and at
the end; the statements it touches, and one more on each side, are re-parsed as a module of their
own and spliced between the unchanged ones. The result is checked, not trusted: the re-parsed
statements must print back to exactly the text they came from, in the document's indentation and
newline style, or the whole document is parsed again. So is every case the splice doesn't cover
(an edit in the leading comments or at the very end of the file, a region that doesn't parse alone).
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst
from libcst._nodes.internal import CodegenState


@dataclass
class _Parsed:
    text: str
    module: cst.Module
    extents: list[tuple[int, int]]  # each top-level statement's text, leading comments included: [start, end)


class IncrementalParser:
    def __init__(self) -> None:
        self._last: _Parsed | None = None
        self.reused_statements = 0  # how many statements the last parse took over (for tests and benchmarks)

    def parse(self, text: str) -> cst.Module:
        """libcst.parse_module(text), and the same errors, reusing what the last parse found."""
        if self._last is not None and self._last.text == text:
            return self._last.module
        spliced = self._splice(text) if self._last is not None else None
        if spliced is not None:
            self._last = spliced
            return spliced.module
        self.reused_statements = 0
        module = cst.parse_module(text)  # on a syntax error the last good version stays the reference
        header = _length(module, module.header)
        self._last = _Parsed(text, module, _extents(module, module.body, header))
        return module

    def _splice(self, text: str) -> _Parsed | None:
        old = self._last
        assert old is not None
        body, extents = old.module.body, old.extents
        if not body:
            return None
        prefix = _common_prefix(old.text, text)
        suffix = _common_suffix(old.text, text, min(len(old.text), len(text)) - prefix)
        changed_from, changed_to = prefix, len(old.text) - suffix  # the edit, in the old text
        if changed_from < extents[0][0] or changed_to > extents[-1][1]:
            return None  # in the leading comments or after the last statement
        touched = [index for index, (start, end) in enumerate(extents) if start <= changed_to and end >= changed_from]
        first, last = max(touched[0] - 1, 0), min(touched[-1] + 1, len(body) - 1)
        if last == len(body) - 1 and not old.module.has_trailing_newline:
            return None
        delta = len(text) - len(old.text)
        start, end = extents[first][0], extents[last][1] + delta
        region = text[start:end]
        try:
            part = cst.parse_module(region)
        except Exception:  # noqa: BLE001 - a syntax error, a parser crash on odd input: the full parse says
            return None
        if not part.body or part.footer:
            return None
        statements = list(part.body)
        if part.header:  # comment lines a whole-file parse gives the statement they precede
            statements[0] = statements[0].with_changes(leading_lines=[*part.header, *statements[0].leading_lines])
        module = old.module.with_changes(body=[*body[:first], *statements, *body[last + 1:]])
        new_extents = _extents(module, statements, start)
        if new_extents[-1][1] != end or "".join(_code(module, node) for node in statements) != region:
            return None  # the splice would not print back the document: parse it whole
        self.reused_statements = len(body) - (last + 1 - first)
        return _Parsed(text, module, [*extents[:first], *new_extents,
                                      *((a + delta, b + delta) for a, b in extents[last + 1:])])


def _code(module: cst.Module, node: cst.CSTNode) -> str:
    state = CodegenState(default_indent=module.default_indent, default_newline=module.default_newline)
    node._codegen(state)
    return "".join(state.tokens)


def _length(module: cst.Module, nodes) -> int:
    return sum(len(_code(module, node)) for node in nodes)


def _extents(module: cst.Module, statements, start: int) -> list[tuple[int, int]]:
    extents = []
    for statement in statements:
        end = start + len(_code(module, statement))
        extents.append((start, end))
        start = end
    return extents


def _common_prefix(a: str, b: str) -> int:
    """Length of the longest common prefix, by bisection over slice comparisons (done in C)."""
    low, high = 0, min(len(a), len(b))
    while low < high:
        middle = (low + high + 1) // 2
        if a[:middle] == b[:middle]:
            low = middle
        else:
            high = middle - 1
    return low


def _common_suffix(a: str, b: str, limit: int) -> int:
    low, high = 0, limit
    while low < high:
        middle = (low + high + 1) // 2
        if a[len(a) - middle:] == b[len(b) - middle:]:
            low = middle
        else:
            high = middle - 1
    return low
