"""Fix data: edits apply bottom-up on the engine's line numbering, never overlap, and leftovers wait."""

from __future__ import annotations

import pytest

from kerlint.diagnostic import Span
from kerlint.fix import Edit, Fix, apply_edits, apply_fixes


def test_edits_apply_bottom_up_across_line_endings():
    source = "a = f(lr=1)\r\nb = g(lr=2)\rc = 3\n"
    edits = [Edit(Span(1, 6, 1, 8), "learning_rate"), Edit(Span(2, 6, 2, 8), "learning_rate"), Edit(Span(3, 0, 3, 1), "d")]
    assert apply_edits(source, edits) == "a = f(learning_rate=1)\r\nb = g(learning_rate=2)\rd = 3\n"


def test_a_multi_line_edit_replaces_the_whole_range():
    assert apply_edits("x = (1,\n     2)\ny = 0\n", [Edit(Span(1, 4, 2, 7), "(1, 2)")]) == "x = (1, 2)\ny = 0\n"


def test_a_fix_refuses_overlapping_edits():
    with pytest.raises(ValueError):
        Fix("clash", (Edit(Span(1, 0, 1, 5), "a"), Edit(Span(1, 4, 1, 6), "b")))


def test_fixes_that_overlap_an_earlier_one_wait_for_the_next_application():
    first = Fix("one", (Edit(Span(1, 0, 1, 3), "abc"),))
    second = Fix("two", (Edit(Span(1, 2, 1, 4), "zz"),))
    third = Fix("three", (Edit(Span(1, 6, 1, 7), "!"),))
    assert apply_fixes("xyz w q", [first, second, third]) == "abc w !"
