"""What the style tests share: lint a faulty program with every rule on, and the lines its `# BUG` comments mark."""

from __future__ import annotations

from pathlib import Path

from kerlint.diagnostic import Diagnostic
from kerlint.engine import LintSettings, lint_bytes

SETTINGS = LintSettings.all_rules()


def findings(source: bytes, name: str) -> list[Diagnostic]:
    """Every finding but the api-compat notes (KL7xx), which say nothing about the fault."""
    return [d for d in lint_bytes(source, name, SETTINGS) if not d.code.startswith("KL7")]


def codes_and_lines(path: Path) -> list[tuple[int, str]]:
    return sorted((d.span.line, d.code) for d in findings(path.read_bytes(), path.name))


def marked_lines(path: Path) -> set[int]:
    return {number for number, line in enumerate(path.read_text().splitlines(), 1) if "# BUG" in line}
