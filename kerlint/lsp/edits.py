"""Text edits for code actions: a `# noqa` for a finding's line (the rule's own fix comes with the diagnostic).

Every function returns (Span, new text) in code-point columns, or None when the edit would not be exactly
right (the line ends inside a string, ...): no edit beats a wrong one.
"""

from __future__ import annotations

import io
from dataclasses import replace
import tokenize

from kerlint.diagnostic import Diagnostic, Span
from kerlint.engine import INTERNAL_ERROR, SYNTAX_ERROR, UNREADABLE_FILE, lint_source
from kerlint.lsp.positions import split_lines
from kerlint.noqa import parse_directives
from kerlint.settings import LintSettings

Edit = tuple[Span, str]

# Findings no `# noqa` can silence (the engine reports them whatever the directives say).
UNSUPPRESSIBLE = {SYNTAX_ERROR, UNREADABLE_FILE, INTERNAL_ERROR}

def lines_ending_in_tokens(source: str) -> set[int] | None:
    """1-based lines whose end lies inside a token (a multi-line string) or that continue with a
    backslash: a comment appended there would change the program. None when the source doesn't tokenize."""
    unsafe: set[int] = set()
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type in (tokenize.NL, tokenize.NEWLINE, tokenize.DEDENT, tokenize.INDENT):
                continue
            if token.end[0] > token.start[0]:
                unsafe.update(range(token.start[0], token.end[0]))
    except (tokenize.TokenError, SyntaxError):
        return None
    for number, line in enumerate(split_lines(source), start=1):
        if line.rstrip().endswith("\\"):
            unsafe.add(number)
    return unsafe


def noqa_edit(source: str, lines: list[str], diagnostic: Diagnostic, unsafe: set[int] | None) -> Edit | None:
    """Add the finding's code to its line's `# noqa: ...` list, or append `  # noqa: CODE`."""
    code = diagnostic.code
    line = diagnostic.span.line
    if code in UNSUPPRESSIBLE or unsafe is None or line in unsafe or not 1 <= line <= len(lines):
        return None
    existing = parse_directives(source).line_noqa.get(line)
    if existing is not None:
        if existing.suppresses(code):
            return None  # a bare `# noqa`, or the code is there already
        end = existing.span.end_col
        return Span(line, end, line, end), f", {code}"
    text = lines[line - 1]
    kept = len(text.rstrip())
    return Span(line, kept, line, len(text)), f"  # noqa: {code}"


def fix_edit(source: str, lines: list[str], diagnostic: Diagnostic) -> Edit | None:
    """The rule's fix as one edit, when it is one edit (the renames are)."""
    fix = diagnostic.autofix or with_fixes(source, [diagnostic])[0].autofix
    if fix is None or len(fix.edits) != 1:
        return None
    (edit,) = fix.edits
    return edit.span, edit.text


def with_fixes(source: str, diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """The diagnostics with their rules' fixes, computed on `source` (one lint of it, their rules only), for
    diagnostics linted without fixes (LintSettings.fixes off)."""
    if not diagnostics:
        return []
    settings = LintSettings(enabled=frozenset(d.code for d in diagnostics), fixes=True)
    fixes = {(d.code, d.span): d.autofix for d in lint_source(source, diagnostics[0].path, settings) if d.autofix}
    return [replace(d, autofix=fixes.get((d.code, d.span))) if d.autofix is None else d for d in diagnostics]
