"""Output formats. Each reporter turns one Report into the text written to stdout.

To add a format, write a module with `render(report) -> str` and register it in `_registry`.
"""

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


def _registry() -> dict[str, Reporter]:
    from kerlint.reporters import concise, full, github, json_format, junit, sarif

    return {
        "concise": concise.render, "full": full.render, "json": json_format.render,
        "sarif": sarif.render, "github": github.render, "junit": junit.render,
    }


REPORTERS: dict[str, Reporter] = _registry()
# Formats that are pure data on stdout: no summary line, no human chatter.
MACHINE_FORMATS = frozenset({"json", "sarif", "junit"})
# Formats that quote source lines (the full format's excerpts, SARIF's fingerprints): they get the files' bytes.
SOURCE_FORMATS = frozenset({"full", "sarif"})
