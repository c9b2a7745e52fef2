"""What the language server remembers of a document's last lint (a text file, or a notebook's cells)."""

from __future__ import annotations

from dataclasses import dataclass

from kerlint.diagnostic import Diagnostic
from kerlint.settings import LintSettings


@dataclass
class Linted:
    text: str
    settings: LintSettings
    diagnostics: list[Diagnostic]
