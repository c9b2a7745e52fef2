"""Code actions for the findings in a requested range: the rule's fix (the diagnostic's `autofix`), and a
`# noqa` suppression."""

from __future__ import annotations

from lsprotocol import types

from kerlint.diagnostic import Diagnostic
from kerlint.lsp.convert import to_lsp
from kerlint.lsp.edits import lines_ending_in_tokens, noqa_edit
from kerlint.lsp.positions import to_range


def _overlaps(diagnostic: Diagnostic, first_line: int, last_line: int) -> bool:
    return diagnostic.span.line <= last_line and diagnostic.span.end_line >= first_line


def code_actions(
    uri: str, source: str, lines: list[str], diagnostics: list[Diagnostic],
    requested: types.Range, encoding: str,
) -> list[types.CodeAction]:
    """Actions for the findings on the requested lines (1 + LSP line numbers); the diagnostics were
    linted with their fixes (LintSettings.fixes)."""
    first, last = requested.start.line + 1, requested.end.line + 1
    wanted = [d for d in diagnostics if _overlaps(d, first, last)]
    if not wanted:
        return []
    unsafe = lines_ending_in_tokens(source)
    actions: list[types.CodeAction] = []
    suppressions: list[types.CodeAction] = []

    def action(title: str, diagnostic: Diagnostic, edits, preferred: bool) -> types.CodeAction:
        changes = [types.TextEdit(range=to_range(lines, span, encoding), new_text=text) for span, text in edits]
        return types.CodeAction(
            title=title,
            kind=types.CodeActionKind.QuickFix,
            diagnostics=[to_lsp(diagnostic, uri, lines, encoding)],
            is_preferred=preferred or None,
            edit=types.WorkspaceEdit(changes={uri: changes}),
        )

    for diagnostic in wanted:
        fix = diagnostic.autofix
        if fix is not None:
            edits = [(edit.span, edit.text) for edit in fix.edits]
            actions.append(action(f"{fix.title} ({diagnostic.code})", diagnostic, edits, fix.applicability == "safe"))
        noqa = noqa_edit(source, lines, diagnostic, unsafe)
        if noqa is not None:
            title = f"Suppress {diagnostic.code} with `# noqa: {diagnostic.code}`"
            suppressions.append(action(title, diagnostic, [noqa], False))
    return actions + suppressions
