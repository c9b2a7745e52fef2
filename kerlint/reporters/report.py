"""What every reporter takes (a Report) and the one text helper they share."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Mapping, Sequence

from kerlint.diagnostic import Diagnostic


@dataclass(frozen=True)
class Report:
    diagnostics: Sequence[Diagnostic]  # sorted by path, line, column, code
    files_checked: int
    # raw bytes of the files that have findings, by display path (for formats that quote source)
    sources: Mapping[str, bytes] = field(default_factory=dict)


Reporter = Callable[[Report], str]


def printable(text: str) -> str:
    """Text safe to print to a terminal: control characters (an escape sequence hidden in a string
    literal or a file name, say) are shown escaped instead of being interpreted."""
    if text.isprintable():
        return text
    return "".join(char if char.isprintable() or char == "\t" else ascii(char)[1:-1] for char in text)
