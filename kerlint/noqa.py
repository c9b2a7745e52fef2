"""Suppression comments: `# noqa`, `# noqa: KL101,KL302` on a line; `# kerlint: noqa[: KL101]` for a file."""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass, field
from typing import Callable

from kerlint.diagnostic import Span

_LINE_NOQA = re.compile(r"#\s*noqa(?::\s*(?P<codes>[A-Za-z]+[0-9]+(?:\s*,?\s*[A-Za-z]+[0-9]+)*))?", re.IGNORECASE)
_FILE_NOQA = re.compile(
    r"#\s*kerlint\s*:\s*noqa(?::\s*(?P<codes>[A-Za-z]+[0-9]+(?:\s*,?\s*[A-Za-z]+[0-9]+)*))?", re.IGNORECASE
)
_CODE = re.compile(r"[A-Za-z]+[0-9]+")


@dataclass
class LineNoqa:
    span: Span
    codes: tuple[str, ...] | None  # None: a bare `# noqa` suppresses everything on the line

    def suppresses(self, code: str) -> bool:
        return self.codes is None or code in self.codes

    def unused_message(self, used: set[str], enabled: frozenset[str], lookup: Callable) -> str | None:
        """Say what is wrong with this directive, if anything. Only kerlint's own codes are judged:
        a bare `# noqa` or another tool's codes may belong to that tool."""
        if self.codes is None:
            return None
        ours = [code for code in self.codes if code.startswith("KL")]
        unknown = [code for code in ours if lookup(code) is None]
        unused = [code for code in ours if code not in unknown and code in enabled and code not in used]
        parts = []
        if unused:
            parts.append(f"unused `noqa` directive: no {', '.join(unused)} finding on this line")
        if unknown:
            parts.append(f"unknown rule code{'s' if len(unknown) > 1 else ''} {', '.join(unknown)} in `noqa`")
        return "; ".join(parts) or None


@dataclass
class Directives:
    line_noqa: dict[int, LineNoqa] = field(default_factory=dict)
    file_all: bool = False
    file_codes: set[str] = field(default_factory=set)

    def file_suppresses(self, code: str) -> bool:
        return self.file_all or code in self.file_codes


def _comments(source: str):
    """(line, column, text) of each comment. Falls back to a line scan when tokenizing fails."""
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type == tokenize.COMMENT:
                yield token.start[0], token.start[1], token.string
    except (tokenize.TokenError, SyntaxError, IndentationError):
        for number, line in enumerate(source.splitlines(), start=1):
            index = line.find("#")
            if index >= 0:
                yield number, index, line[index:]


def parse_directives(source: str) -> Directives:
    directives = Directives()
    if "noqa" not in source.lower():
        return directives
    for line, column, text in _comments(source):
        file_match = _FILE_NOQA.search(text)
        if file_match:
            codes = file_match.group("codes")
            if codes:
                directives.file_codes.update(code.upper() for code in _CODE.findall(codes))
            else:
                directives.file_all = True
            continue
        match = _LINE_NOQA.search(text)
        if match:
            codes = match.group("codes")
            parsed = tuple(code.upper() for code in _CODE.findall(codes)) if codes else None
            span = Span(line, column + match.start(), line, column + match.end())
            directives.line_noqa[line] = LineNoqa(span, parsed)
    return directives
