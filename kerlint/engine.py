"""Lint one file: decode, parse once, extract facts, run the enabled rules, apply suppressions."""

from __future__ import annotations

import ast
import io
import sys
from contextlib import contextmanager
import tokenize
import warnings
from typing import TYPE_CHECKING, Callable

from kerlint.diagnostic import Diagnostic, Span
from kerlint.noqa import Directives, parse_directives
from kerlint.registry import all_rules, rule_by_code
from kerlint.rule import ENGINE_TAG, Finding
from kerlint.settings import DEFAULT_MAX_FILE_BYTES, LintSettings

if TYPE_CHECKING:
    import libcst as cst

SYNTAX_ERROR = "KL001"
UNREADABLE_FILE = "KL002"
UNUSED_NOQA = "KL003"
INTERNAL_ERROR = "KL004"

# libcst generates code recursively (a few frames per nesting level); long flat expressions such as a
# 500-term sum need more than Python's default 1000 frames. Python frames don't use the C stack (3.11+).
ANALYSIS_RECURSION_LIMIT = 12_000


class SourceError(Exception):
    def __init__(self, message: str, span: Span = Span.point(1)) -> None:
        super().__init__(message)
        self.message = message
        self.span = span


@contextmanager
def _recursion_limit(limit: int):
    previous = sys.getrecursionlimit()
    sys.setrecursionlimit(max(previous, limit))
    try:
        yield
    finally:
        sys.setrecursionlimit(previous)


def decode_source(data: bytes, max_bytes: int = DEFAULT_MAX_FILE_BYTES) -> str:
    """Bytes of a Python file -> text, or SourceError saying plainly why not."""
    if len(data) > max_bytes:
        raise SourceError(
            f"file is {len(data) / 1_048_576:.1f} MiB, over the {max_bytes / 1_048_576:.1f} MiB limit "
            "(max-file-size): not checked"
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise SourceError("file is UTF-16 encoded; Python source must be UTF-8 or declare its encoding: not checked")
    if b"\0" in data[:8192]:
        raise SourceError("binary file (contains NUL bytes): not checked")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as error:
        if not _declares_encoding(data):
            encoding = "utf-8"  # no declaration: say where the bytes stop being UTF-8
        else:
            raise SourceError(f"bad encoding declaration: {error}") from None
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1)
        raise SourceError(
            f"not valid {encoding}: byte 0x{data[error.start]:02x} at line {line}; "
            "save the file as UTF-8 or add a `# -*- coding: ... -*-` line: not checked",
            Span.point(line, column),
        ) from None
    return text.removeprefix("\ufeff")


def _declares_encoding(data: bytes) -> bool:
    return any(b"coding" in line for line in data.splitlines()[:2])


def lint_bytes(data: bytes, path: str, settings: LintSettings) -> list[Diagnostic]:
    try:
        source = decode_source(data, settings.max_file_bytes)
    except SourceError as error:
        return _engine_diagnostics(path, settings, [(UNREADABLE_FILE, Finding(error.span, error.message))])
    return lint_source(source, path, settings)


def lint_source(
    source: str, path: str, settings: LintSettings, parse: Callable[[str], cst.Module] | None = None
) -> list[Diagnostic]:
    """All findings for one file's text, suppressions applied, sorted. `parse` replaces
    libcst.parse_module (the editor passes an IncrementalParser's)."""
    if not _needs_analysis(source, settings) and _parses(source, path):
        return _finish(source, path, settings, [])  # nothing a rule reacts to: only the engine's checks

    import libcst as cst  # imported on first use: a run answered from the cache never loads it

    try:
        module = (parse or cst.parse_module)(source)
    except cst.ParserSyntaxError as error:
        return _engine_diagnostics(path, settings, [(SYNTAX_ERROR, _syntax_finding(source, error))])
    except RecursionError:
        finding = Finding(Span.point(1), "code is nested too deeply to parse")
        return _engine_diagnostics(path, settings, [(SYNTAX_ERROR, finding)])

    from kerlint.extract import extract_facts  # heavy-ish import kept off the error paths

    results: list[tuple[str, Finding]] = []
    try:
        with _recursion_limit(ANALYSIS_RECURSION_LIMIT):
            facts = extract_facts(module, path)
            if settings.target_keras_configured or facts.target_keras is None:
                facts.target_keras = settings.target_keras
        if settings.fixes:
            from kerlint.source import SourceText

            facts.source = SourceText(source)
    except RecursionError:
        facts = None
        results.append((INTERNAL_ERROR, Finding(Span.point(1), "code is nested too deeply to analyze")))
    except Exception as error:  # kerlint's bug: report it on this file, keep going with the others
        facts = None
        message = f"analysis failed: {type(error).__name__}: {error} (please report)"
        results.append((INTERNAL_ERROR, Finding(Span.point(1), message)))
    if facts is not None:
        for rule in all_rules():
            if rule.code not in settings.enabled:
                continue
            if rule.tag == "api-compat" and facts.target_keras == "2":
                continue  # moving to Keras 3 is not this project's concern
            try:
                results += [(rule.code, finding) for finding in rule().check(facts, settings.options_for(rule))]
            except Exception as error:  # one broken rule must not take the other rules down
                message = f"{rule.code} failed on this file: {type(error).__name__}: {error} (please report)"
                results.append((INTERNAL_ERROR, Finding(Span.point(1), message)))

    return _finish(source, path, settings, results)


def _finish(source: str, path: str, settings: LintSettings, results: list[tuple[str, Finding]]) -> list[Diagnostic]:
    directives = parse_directives(source)
    kept = _apply_suppressions(results, directives, settings)
    return _engine_diagnostics(path, settings, kept)


def _needs_analysis(source: str, settings: LintSettings) -> bool:
    """False when no enabled rule reads facts, or the text mentions nothing any fact starts from."""
    from kerlint.extract.relevance import may_hold_facts

    if all(rule.tag == ENGINE_TAG for rule in all_rules() if rule.code in settings.enabled):
        return False
    return may_hold_facts(source)


def _parses(source: str, path: str) -> bool:
    """Whether CPython's parser (several times faster than libcst's) accepts the text; a file it
    rejects takes the full path, so its syntax error is reported as for any other file."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # invalid escape sequences and the like: not kerlint's to print
        try:
            compile(source, path, "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
        except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError):
            return False
    return True


def _syntax_finding(source: str, error: cst.ParserSyntaxError) -> Finding:
    # CPython's parser explains syntax errors far better than libcst's ("'(' was never closed"), so
    # ask it first; it only parses, nothing runs.
    try:
        ast.parse(source)
    except SyntaxError as python_error:
        line = python_error.lineno or 1
        column = max((python_error.offset or 1) - 1, 0)
        message = python_error.msg
    except (ValueError, RecursionError, MemoryError):
        line, column, message = error.raw_line, error.raw_column, error.message
    else:
        line, column, message = error.raw_line, error.raw_column, error.message
    message = message.strip().rstrip(".")
    return Finding(Span.point(line, column), f"syntax error: {message}; nothing else in this file was checked")


def _apply_suppressions(
    results: list[tuple[str, Finding]], directives: Directives, settings: LintSettings
) -> list[tuple[str, Finding]]:
    kept = []
    used: dict[int, set[str]] = {}
    for code, finding in _dedupe(results):
        if directives.file_suppresses(code):
            continue
        line = finding.span.line
        noqa = directives.line_noqa.get(line)
        if noqa is not None and noqa.suppresses(code):
            used.setdefault(line, set()).add(code)
            continue
        kept.append((code, finding))
    if UNUSED_NOQA in settings.enabled and not directives.file_suppresses(UNUSED_NOQA):
        for line, noqa in sorted(directives.line_noqa.items()):
            problem = noqa.unused_message(used.get(line, set()), settings.enabled, rule_by_code)
            if problem and not noqa.suppresses(UNUSED_NOQA):
                kept.append((UNUSED_NOQA, Finding(noqa.span, problem, fix="Remove the unused codes from the directive.")))
    return kept


def _dedupe(results: list[tuple[str, Finding]]) -> list[tuple[str, Finding]]:
    seen = set()
    unique = []
    for code, finding in results:
        key = (code, finding.span, finding.message)
        if key not in seen:
            seen.add(key)
            unique.append((code, finding))
    return unique


def _engine_diagnostics(path: str, settings: LintSettings, results: list[tuple[str, Finding]]) -> list[Diagnostic]:
    diagnostics = []
    for code, finding in results:
        rule = rule_by_code(code)
        if rule is None:
            continue
        if rule.code not in settings.enabled and code not in (SYNTAX_ERROR, UNREADABLE_FILE, INTERNAL_ERROR):
            continue
        diagnostics.append(
            Diagnostic(
                code=rule.code,
                name=rule.name,
                tag=rule.tag,
                severity=rule.severity,
                message=finding.message,
                path=path,
                span=finding.span,
                fix=finding.fix if finding.fix is not None else rule.fix,
                url=rule.url(),
                related=finding.related,
                autofix=finding.autofix,
            )
        )
    return sorted(diagnostics, key=Diagnostic.sort_key)
