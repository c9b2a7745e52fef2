"""Memoized, depth-bounded analyses of the Evaluator."""

from __future__ import annotations

from functools import wraps
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kerlint.extract.numerics.evaluator import Evaluator
    from kerlint.extract.numerics.resolution import Where

MAX_DEPTH = 60


def analysis(unknown):
    """Memoize an Evaluator method by (expression, where, extra args) and bound its recursion depth;
    past the bound, return `unknown`, the answer that keeps rules silent."""

    def decorate(method):
        @wraps(method)
        def run(self: Evaluator, expr, where: Where, *extra):
            key = (method.__name__, id(expr), id(where[0]), where[1], extra)
            if key in self.memo:
                return self.memo[key]
            module = self.module
            if module.depth >= MAX_DEPTH:
                return unknown
            module.depth += 1
            try:
                result = method(self, expr, where, *extra)
            finally:
                module.depth -= 1
            self.memo[key] = result
            return result

        return run

    return decorate
