"""A file's text as the fixes read it: its lines and, parsed on first use only, its `ast`."""

from __future__ import annotations

import ast
from functools import cached_property

from kerlint.fix import NEWLINE


class SourceText:
    def __init__(self, text: str) -> None:
        self.text = text

    @cached_property
    def lines(self) -> list[str]:
        return NEWLINE.split(self.text)

    @cached_property
    def tree(self) -> ast.Module | None:
        """Parsed lazily: only a file with a fixable finding pays for it. None when `ast` can't parse it."""
        try:
            return ast.parse(self.text)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return None

    def column(self, line: int, byte_offset: int) -> int:
        """ast's UTF-8 byte offset on a 1-based line -> code-point column."""
        return len(self.lines[line - 1].encode("utf-8")[:byte_offset].decode("utf-8", "replace"))

    def calls(self):
        return (node for node in ast.walk(self.tree) if isinstance(node, ast.Call)) if self.tree else iter(())
