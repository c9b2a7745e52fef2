"""Every rule's VALID and INVALID examples, run through the real engine (the examples are the docs)."""

from __future__ import annotations

import ast
from dataclasses import replace

import libcst as cst
import pytest

from kerlint.engine import LintSettings, lint_source
from kerlint.fix import apply_fixes
from kerlint.registry import all_rules
from kerlint.rule import expected_lines

RULES = all_rules()
EVERYTHING = LintSettings.all_rules()
FIXING = replace(EVERYTHING, fixes=True)


def _cases(kind: str):
    for rule in RULES:
        for index, source in enumerate(getattr(rule, kind)):
            yield pytest.param(rule, source, id=f"{rule.code}-{kind}-{index}")


@pytest.mark.parametrize(("rule", "source"), list(_cases("invalid")))
def test_invalid_example_reports_exactly_the_marked_lines(rule, source):
    found = [(d.span.line, d.code) for d in lint_source(source, "example.py", EVERYTHING) if d.code == rule.code]
    assert sorted(found) == [pair for pair in expected_lines(source) if pair[1] == rule.code]
    assert found, f"{rule.code}: an invalid example must report something"


@pytest.mark.parametrize(("rule", "source"), list(_cases("valid")))
def test_valid_example_is_silent(rule, source):
    found = [d for d in lint_source(source, "example.py", EVERYTHING) if d.code == rule.code]
    assert found == []


def test_every_pattern_rule_has_examples_and_docs():
    for rule in RULES:
        if rule.tag == "kerlint":
            continue
        assert rule.invalid and rule.valid, rule.code
        docs = rule.docs()
        for section in ("## What it does", "## Why is this bad?", "## Example", "## Use instead"):
            assert section in docs, (rule.code, section)


def _fixes(source: str, code: str):
    return [d.autofix for d in lint_source(source, "example.py", FIXING) if d.code == code and d.autofix]


@pytest.mark.parametrize(("rule", "source"), [case for case in _cases("invalid") if _fixes(case.values[1], case.values[0].code)])
def test_invalid_example_fix_removes_the_finding_and_is_idempotent(rule, source):
    before = [d for d in lint_source(source, "example.py", FIXING) if d.code == rule.code]
    fixed = apply_fixes(source, [d.autofix for d in before if d.autofix])
    assert fixed != source
    ast.parse(fixed)
    cst.parse_module(fixed)
    after = [d.span.line for d in lint_source(fixed, "example.py", FIXING) if d.code == rule.code]
    assert after == [d.span.line for d in before if d.autofix is None]  # only the findings without a fix are left
    assert apply_fixes(fixed, _fixes(fixed, rule.code)) == fixed


def test_the_renaming_rules_fix_their_examples_and_a_plain_check_computes_no_fix():
    fixed = {case.values[0].code for case in _cases("invalid") if _fixes(case.values[1], case.values[0].code)}
    assert {"KL701", "KL702", "KL703"} <= fixed
    source = RULES[[r.code for r in RULES].index("KL701")].invalid[0]
    assert [d.autofix for d in lint_source(source, "example.py", EVERYTHING) if d.code == "KL701"] == [None]


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.code)
def test_a_rule_offers_exactly_the_fixes_it_declares(rule):
    """`fixable` (shown in the docs) is what its examples' findings carry: at least one fix when declared,
    every fix of that applicability, and none from a rule that declares none."""
    fixes = [fix for source in rule.invalid for fix in _fixes(source, rule.code)]
    assert {fix.applicability for fix in fixes} == ({rule.fixable} if rule.fixable else set())
