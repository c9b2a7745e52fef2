"""`kerlint check --fix`: apply the rules' fixes to a file (a script or a notebook's code cells), re-lint,
and apply again until nothing more applies (at most MAX_ROUNDS rounds).

Safe fixes only unless unsafe ones are asked for. A set of edits whose result does not parse is never
kept: the fixes of that round are retried one by one and the ones that break the code are dropped.
A notebook is rewritten only in the changed cells' `source`, and only when re-serialising the unchanged
document reproduces the file byte for byte (as Jupyter writes it: its indent, key order, escaping and
final newline), so nothing else in the JSON moves.
"""

from __future__ import annotations

import ast
import difflib
import io
import json
import tokenize
from dataclasses import dataclass, replace
from typing import Callable

from kerlint.diagnostic import Diagnostic
from kerlint.engine import SYNTAX_ERROR, LintSettings, SourceError, decode_source, lint_source
from kerlint.fix import Fix, apply_fixes, compatible_fixes
from kerlint.notebook import join_cells, language, mask_cell, split_lines
from kerlint.notebook_lint import lint_cells

MAX_ROUNDS = 10


@dataclass(frozen=True)
class Fixed:
    data: bytes  # the file's new bytes (the same bytes when nothing was applied)
    applied: int = 0  # fixes applied
    hidden: int = 0  # unsafe fixes left, which --unsafe-fixes would apply
    problem: str | None = None  # why fixes that exist were not written


def fix_bytes(data: bytes, path: str, settings: LintSettings, unsafe: bool, notebook: bool) -> Fixed:
    return (_fix_notebook if notebook else _fix_script)(data, path, replace(settings, fixes=True), unsafe)


def unified_diff(before: bytes, after: bytes, shown: str) -> str:
    old = before.decode("utf-8", "replace").splitlines(keepends=True)
    new = after.decode("utf-8", "replace").splitlines(keepends=True)
    lines = list(difflib.unified_diff(old, new, fromfile=shown, tofile=shown))
    return "".join(line if line.endswith(("\n", "\r")) else line + "\n\\ No newline at end of file\n" for line in lines)


def _wanted(diagnostics: list[Diagnostic], unsafe: bool) -> list[Fix]:
    return [d.autofix for d in diagnostics if d.autofix and (unsafe or d.autofix.applicability == "safe")]


def _hidden(diagnostics: list[Diagnostic], unsafe: bool) -> int:
    return 0 if unsafe else sum(1 for d in diagnostics if d.autofix and d.autofix.applicability == "unsafe")


def _parses(text: str) -> bool:
    try:
        ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def apply_parsing(text: str, fixes: list[Fix], parses: Callable[[str], bool] = _parses) -> tuple[str, int]:
    """`text` with the compatible fixes applied, and how many; fixes that would leave it unparseable are dropped."""
    chosen = compatible_fixes(fixes)
    fixed = apply_fixes(text, chosen)
    if parses(fixed):
        return fixed, len(chosen)
    kept: list[Fix] = []
    for fix in chosen:  # find the culprit(s): keep each fix whose result still parses
        if parses(apply_fixes(text, [*kept, fix])):
            kept.append(fix)
    return apply_fixes(text, kept), len(kept)


# --- a script -----------------------------------------------------------------------------------------


def _fix_script(data: bytes, path: str, settings: LintSettings, unsafe: bool) -> Fixed:
    try:
        source = decode_source(data, settings.max_file_bytes)
        encoding = tokenize.detect_encoding(io.BytesIO(data).readline)[0]
    except (SourceError, SyntaxError):
        return Fixed(data)
    applied = 0
    for _ in range(MAX_ROUNDS):
        diagnostics = lint_source(source, path, settings)
        fixes = _wanted(diagnostics, unsafe)
        if not fixes or any(d.code == SYNTAX_ERROR for d in diagnostics):
            break
        source, count = apply_parsing(source, fixes)
        if count == 0:
            break
        applied += count
    else:
        diagnostics = lint_source(source, path, settings)
    if not applied:
        return Fixed(data, hidden=_hidden(diagnostics, unsafe))
    try:
        fixed = source.encode(encoding)
    except UnicodeEncodeError:
        return Fixed(data, hidden=_hidden(diagnostics, unsafe), problem=f"the fixed text can't be written as {encoding}")
    return Fixed(fixed, applied, _hidden(diagnostics, unsafe))


# --- a notebook ---------------------------------------------------------------------------------------


def _fix_notebook(data: bytes, path: str, settings: LintSettings, unsafe: bool) -> Fixed:
    kernel = language(data)
    if kernel is not None and kernel != "python":
        return Fixed(data)
    try:
        text = data.decode("utf-8-sig")
        document = json.loads(text)
        numbered = {
            number: cell for number, cell in enumerate(document["cells"], start=1)
            if isinstance(cell, dict) and cell.get("cell_type") == "code"
        }
        sources = {number: _cell_text(cell) for number, cell in numbered.items()}
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError):
        return Fixed(data)  # the lint reports why it can't be read
    applied = 0
    for _ in range(MAX_ROUNDS):
        diagnostics = lint_cells(join_cells(list(sources.items())), path, settings)
        by_cell: dict[int, list[Fix]] = {}
        for diagnostic in diagnostics:
            if diagnostic.cell is not None and diagnostic.autofix and (unsafe or diagnostic.autofix.applicability == "safe"):
                by_cell.setdefault(diagnostic.cell, []).append(diagnostic.autofix)
        count = 0
        for number, fixes in by_cell.items():
            sources[number], done = apply_parsing(sources[number], fixes, _cell_parses)
            count += done
        if count == 0:
            break
        applied += count
    else:
        diagnostics = lint_cells(join_cells(list(sources.items())), path, settings)
    hidden = _hidden(diagnostics, unsafe)
    if not applied:
        return Fixed(data, hidden=hidden)
    dump = _jupyter_dump(document, text)
    if dump is None:
        return Fixed(data, hidden=hidden, problem="its JSON is not formatted as Jupyter writes it, so it was left as it was")
    for number, cell in numbered.items():
        if _cell_text(cell) != sources[number]:
            cell["source"] = sources[number].splitlines(keepends=True) if isinstance(cell["source"], list) else sources[number]
    prefix = "\ufeff" if data.startswith(b"\xef\xbb\xbf") else ""
    return Fixed((prefix + dump(document)).encode("utf-8"), applied, hidden)


def _cell_text(cell: dict) -> str:
    source = cell.get("source", "")
    text = "".join(source) if isinstance(source, list) else source
    if not isinstance(text, str):
        raise TypeError("a cell's source is not text")
    return text


def _cell_parses(text: str) -> bool:
    return _parses("".join(line + "\n" for line in mask_cell(split_lines(text))))


def _jupyter_dump(document: dict, original: str) -> Callable[[dict], str] | None:
    """How to write `document` back so that, unchanged, it is exactly `original`; None when no way does."""
    for indent in (1, 2, 4, None):
        for sort_keys in (True, False):
            for ensure_ascii in (False, True):
                def dump(value: dict, indent=indent, sort_keys=sort_keys, ensure_ascii=ensure_ascii) -> str:
                    return json.dumps(value, indent=indent, sort_keys=sort_keys, ensure_ascii=ensure_ascii)

                body = dump(document)
                if original.removesuffix("\n") == body:
                    ending = original[len(body):]
                    return lambda value, dump=dump, ending=ending: dump(value) + ending
    return None
