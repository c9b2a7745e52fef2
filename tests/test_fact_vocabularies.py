"""The string-valued fact fields stay within their declared Literal vocabularies (kerlint/facts.py), on
every fixture and rule example: a rule may match on them exhaustively."""

from __future__ import annotations

from pathlib import Path
from typing import get_args

import libcst as cst

from kerlint.extract import extract_facts
from kerlint.facts import FunctionRole, GuardHow, LegacyKind, NumericOpKind
from kerlint.registry import all_rules
from kerlint.rule import strip_markers

ROOT = Path(__file__).resolve().parent.parent


def _sources():
    for path in sorted((ROOT / "fixtures").rglob("*.py")):
        try:
            yield path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
    for rule in all_rules():
        yield from (strip_markers(source) for source in rule.invalid + rule.valid)


def test_fact_fields_use_their_declared_values():
    seen: dict[str, set[str]] = {"kind": set(), "how": set(), "role": set(), "legacy": set()}
    for source in _sources():
        try:
            module = cst.parse_module(source)
        except (cst.ParserSyntaxError, RecursionError):
            continue
        facts = extract_facts(module, "example.py")
        for function in facts.custom_functions:
            seen["role"].add(function.role)
            seen["kind"] |= {op.kind for op in function.numeric_ops}
            seen["how"] |= {constant.how for constant in function.small_constants}
        seen["legacy"] |= {usage.kind for usage in facts.legacy}
    assert seen["kind"] <= set(get_args(NumericOpKind)) and seen["kind"]
    assert seen["how"] <= set(get_args(GuardHow)) and seen["how"]
    assert seen["role"] <= set(get_args(FunctionRole)) and seen["role"]
    assert seen["legacy"] <= set(get_args(LegacyKind)) and seen["legacy"]
