"""Memoized, depth-bounded analyses (resolution, taint, constants, ranges, guards)."""

from __future__ import annotations

from functools import wraps
MAX_DEPTH = 60


def analysis(unknown):
    """Memoize an analysis method by (expression, where, extra args) in the analysis's `memo` and bound
    its recursion depth (its `module.depth`, shared by all); past the bound, return `unknown`, the
    answer that keeps rules silent."""

    def decorate(method):
        @wraps(method)
        def run(self, expr, where, *extra):
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
