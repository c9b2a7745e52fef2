"""Text edits kerlint can compute exactly: a `# noqa` for a finding's line, and renames a rule's fix names.

Every function returns (Span, new text) in code-point columns, or None when the edit would not be exactly
right (the line ends inside a string, the call has `**kwargs`, ...): no edit beats a wrong one.
"""

from __future__ import annotations

import ast
import io
import tokenize

from kerlint.diagnostic import Diagnostic, Span
from kerlint.engine import INTERNAL_ERROR, SYNTAX_ERROR, UNREADABLE_FILE
from kerlint.lsp.positions import split_lines
from kerlint.noqa import parse_directives

Edit = tuple[Span, str]

# Findings no `# noqa` can silence (the engine reports them whatever the directives say).
UNSUPPRESSIBLE = {SYNTAX_ERROR, UNREADABLE_FILE, INTERNAL_ERROR}

# rule -> {old keyword: new keyword}: renames that mean exactly the same thing.
KEYWORD_RENAMES = {"KL701": {"lr": "learning_rate"}, "KL702": {"nb_epoch": "epochs"}}

# KL703: removed method -> (its replacement, keywords the replacement takes with the same meaning).
# Only a call with the generator as its single positional argument qualifies: the other positional
# slots differ (fit_generator's second is steps_per_epoch, fit's is y).
METHOD_RENAMES = {
    "fit_generator": ("fit", {"steps_per_epoch", "epochs", "verbose", "callbacks", "validation_data",
                              "validation_steps", "validation_freq", "class_weight", "shuffle", "initial_epoch"}),
    "evaluate_generator": ("evaluate", {"steps", "callbacks", "verbose"}),
    "predict_generator": ("predict", {"steps", "callbacks", "verbose"}),
}


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


def _tree(source: str) -> ast.Module | None:
    try:
        return ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def _column(lines: list[str], line: int, byte_offset: int) -> int:
    """ast's UTF-8 byte offset -> code-point column."""
    return len(lines[line - 1].encode("utf-8")[:byte_offset].decode("utf-8", "replace"))


def _calls(tree: ast.Module):
    return (node for node in ast.walk(tree) if isinstance(node, ast.Call))


def keyword_rename_edit(source: str, lines: list[str], diagnostic: Diagnostic) -> Edit | None:
    renames = KEYWORD_RENAMES.get(diagnostic.code)
    tree = _tree(source) if renames else None
    if tree is None:
        return None
    span = diagnostic.span
    for call in _calls(tree):
        names = [keyword.arg for keyword in call.keywords]
        for keyword in call.keywords:
            if keyword.arg not in renames or keyword.lineno != span.line:
                continue
            if _column(lines, keyword.lineno, keyword.col_offset) != span.col:
                continue
            new = renames[keyword.arg]
            if new in names or names.count(keyword.arg) > 1:
                return None  # the call already passes the new name: renaming would make it a duplicate
            start = span.col
            if lines[span.line - 1][start : start + len(keyword.arg)] != keyword.arg:
                return None
            return Span(span.line, start, span.line, start + len(keyword.arg)), new
    return None


def method_rename_edit(source: str, lines: list[str], diagnostic: Diagnostic) -> Edit | None:
    if diagnostic.code != "KL703":
        return None
    tree = _tree(source)
    if tree is None:
        return None
    span = diagnostic.span
    for call in _calls(tree):
        func = call.func
        if not isinstance(func, ast.Attribute) or func.attr not in METHOD_RENAMES:
            continue
        if func.end_lineno != span.line or _column(lines, func.end_lineno, func.end_col_offset) != span.end_col:
            continue
        new, accepted = METHOD_RENAMES[func.attr]
        if len(call.args) != 1 or isinstance(call.args[0], ast.Starred):
            return None
        if any(keyword.arg is None or keyword.arg not in accepted for keyword in call.keywords):
            return None
        text = lines[span.line - 1]
        if span.end_line != span.line or text[span.col : span.end_col] != func.attr:
            return None
        return span, new
    return None


def fix_edit(source: str, lines: list[str], diagnostic: Diagnostic) -> Edit | None:
    return keyword_rename_edit(source, lines, diagnostic) or method_rename_edit(source, lines, diagnostic)
