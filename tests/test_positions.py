"""The collector's positions (kerlint/extract/collect.py rides on libcst's private code generation:
`libcst._nodes.internal.CodegenState`, `Module._codegen`) agree with libcst's public PositionProvider.

pyproject pins libcst's major version for that reason; this test is what tells a libcst upgrade that
changed those internals apart from one that didn't.
"""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from kerlint.extract.collect import ModuleContext
from kerlint.registry import all_rules
from kerlint.rule import strip_markers

ROOT = Path(__file__).resolve().parent.parent
TRICKY = '''\
# -*- coding: utf-8 -*-
"""Docstring with unicode: é, 中文, 🙂."""
import keras as K ; x = [1,
  2,   # comment
    3]
def loss(y_true, y_pred, *, smooth=1e-12, **kw):
    s = f"{y_true!r:>10} é🙂"
    return K.log(1 - y_pred) \\
        + (lambda a: a)(smooth)
class A(object):
    @staticmethod
    def f(): pass
if x: y = 1
else:
    y = 2
'''


def _sources() -> list[tuple[str, str]]:
    candidates = [("tricky", lambda: TRICKY)]
    candidates += [(path.name, lambda path=path: path.read_text(encoding="utf-8"))
                   for path in sorted((ROOT / "fixtures").rglob("*.py"))]
    candidates += [(f"{rule.code}-invalid-{i}", lambda source=source: strip_markers(source))
                   for rule in all_rules() for i, source in enumerate(rule.invalid)]
    found = []
    for name, read in candidates:
        try:
            source = read()
            cst.parse_module(source)
        except (UnicodeDecodeError, cst.ParserSyntaxError, RecursionError):
            continue  # the examples of unreadable files and syntax errors
        found.append((name, source))
    return found


@pytest.mark.parametrize("name, source", _sources(), ids=[name for name, _ in _sources()])
def test_collector_positions_match_position_provider(name, source):
    module = cst.parse_module(source)
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    expected = wrapper.resolve(PositionProvider)
    ctx = ModuleContext(module, name)
    ours = {node: tuple(vars(ctx.span(node)).values()) for node in expected if id(node) in ctx.ranges}
    assert expected, "PositionProvider returned nothing"
    compared = 0
    for node, position in expected.items():
        if node not in ours:
            continue
        wanted = (position.start.line, position.start.column, position.end.line, position.end.column)
        assert ours[node] == wanted, f"{type(node).__name__} {module.code_for_node(node)[:60]!r}"
        compared += 1
    # Every expression and statement the rules can point at has a position.
    pointable = [n for n in expected if isinstance(n, (cst.BaseExpression, cst.BaseSmallStatement, cst.Arg))]
    assert all(n in ours for n in pointable), [module.code_for_node(n)[:40] for n in pointable if n not in ours][:5]
    assert compared >= len(pointable)
