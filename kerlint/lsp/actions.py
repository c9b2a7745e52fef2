"""Code actions for the findings in a requested range: the rule's quick fix, and a `# noqa` suppression."""

from __future__ import annotations

from lsprotocol import types

from kerlint.diagnostic import Diagnostic
from kerlint.lsp.convert import to_lsp
from kerlint.lsp.edits import fix_edit, lines_ending_in_tokens, noqa_edit
from kerlint.lsp.positions import to_range


def _overlaps(diagnostic: Diagnostic, first_line: int, last_line: int) -> bool:
    return diagnostic.span.line <= last_line and diagnostic.span.end_line >= first_line


def code_actions(
    uri: str, source: str, lines: list[str], diagnostics: list[Diagnostic],
    requested: types.Range, encoding: str,
) -> list[types.CodeAction]:
    """Actions for the findings on the requested lines (1 + LSP line numbers)."""
    first, last = requested.start.line + 1, requested.end.line + 1
    wanted = [d for d in diagnostics if _overlaps(d, first, last)]
    if not wanted:
        return []
    unsafe = lines_ending_in_tokens(source)
    actions: list[types.CodeAction] = []
    suppressions: list[types.CodeAction] = []

    def action(title: str, diagnostic: Diagnostic, edit, preferred: bool) -> types.CodeAction:
        span, text = edit
        change = types.TextEdit(range=to_range(lines, span, encoding), new_text=text)
        return types.CodeAction(
            title=title,
            kind=types.CodeActionKind.QuickFix,
            diagnostics=[to_lsp(diagnostic, uri, lines, encoding)],
            is_preferred=preferred or None,
            edit=types.WorkspaceEdit(changes={uri: [change]}),
        )

    for diagnostic in wanted:
        fix = fix_edit(source, lines, diagnostic)
        if fix is not None:
            old = source_text(lines, fix[0])
            actions.append(action(f"Replace `{old}` with `{fix[1]}` ({diagnostic.code})", diagnostic, fix, True))
        noqa = noqa_edit(source, lines, diagnostic, unsafe)
        if noqa is not None:
            title = f"Suppress {diagnostic.code} with `# noqa: {diagnostic.code}`"
            suppressions.append(action(title, diagnostic, noqa, False))
    return actions + suppressions


def source_text(lines: list[str], span) -> str:
    return lines[span.line - 1][span.col : span.end_col] if span.line == span.end_line else ""
