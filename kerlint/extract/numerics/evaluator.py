"""The analysis of expressions inside one custom loss or metric."""

from __future__ import annotations

from kerlint.extract.numerics.constants import Constants
from kerlint.extract.numerics.guards import Guards
from kerlint.extract.numerics.ranges import Ranges
from kerlint.extract.numerics.resolution import Resolver
from kerlint.extract.numerics.taint import Taint


class Evaluator(Resolver, Taint, Constants, Guards, Ranges):
    """Taint, guards, constant values and ranges of expressions inside one custom function.

    The analyses call one another (a guard may rest on a range, a range on a constant value), so they
    share one memo and one recursion bound: each answers "unknown" past the bound."""
