"""The sign of a loss: a final loss that returns a log-likelihood (a value <= 0 with a log-probability
in it) without negating it drives the likelihood down as it is minimized."""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from kerlint.extract.numerics.evaluator import Evaluator
from kerlint.extract.numerics.syntax import Where
from kerlint.extract.numerics.vocabulary import LIKELIHOOD_NAMES
from kerlint.facts import LogLikelihoodReturn

if TYPE_CHECKING:
    from kerlint.extract.numerics.discovery import Candidate
    from kerlint.extract.numerics.objectives import Objective


def is_final_loss(candidate: Candidate, name: str) -> bool:
    """A loss whose returned value is what gets minimized: not a component of another loss or metric,
    and either a loss by compile() or a Loss class, or a loss-like function whose name does not announce
    a likelihood (`log_likelihood`, but not `neg_log_likelihood` or `likelihood_loss`)."""
    if candidate.component or candidate.role not in ("loss", "loss-like"):
        return False
    lowered = name.lower()
    explicit_likelihood = (any(word in lowered for word in LIKELIHOOD_NAMES)
                           and "neg" not in lowered and "loss" not in lowered)
    return candidate.role == "loss" or not explicit_likelihood


def unnegated_return(evaluator: Evaluator, name: str) -> LogLikelihoodReturn | None:
    for statement, value in evaluator.module.returned_values(evaluator.function):
        value_range = evaluator.range(value, evaluator.where(statement), "likelihood")
        if value_range.has_log and value_range.hi <= 0 and value_range.lo < 0:
            ctx = evaluator.ctx
            return LogLikelihoodReturn(function=name, text=ctx.text(value), span=ctx.span(statement))
    return None


def unnegated_objective(evaluator: Evaluator, objective: Objective) -> LogLikelihoodReturn | None:
    """A differentiated objective (a tape or minimize target) that is a log-likelihood of the targets,
    `sum(labels * log(p))`, never negated. A log with no target weight (a GAN generator's
    `log(1 - D(G(z)))`) is minimized on purpose and left alone. Reported at the value's definition when
    the objective is a name bound to it (the negation belongs there)."""
    for root, where in objective.roots:
        value, at = root, where
        if isinstance(root, cst.Name):
            resolved = evaluator.resolve(root, where)
            if resolved is not None and resolved.value is not None and resolved.exact:
                value, at = resolved.value, resolved.where
        value_range = evaluator.range(value, at, "likelihood")
        if (value_range.has_log and value_range.hi <= 0 and value_range.lo < 0
                and evaluator.find(value, at, lambda node, w: _target_weighted_log(evaluator, node, w)) is not None):
            ctx = evaluator.ctx
            return LogLikelihoodReturn(function=objective.name, text=ctx.text(value), span=ctx.span(value), verb="is")
    return None


def _target_weighted_log(evaluator: Evaluator, node: cst.CSTNode, where: Where) -> bool:
    """`labels * log(p)`: a log weighted by a factor computed from the targets alone."""
    if not (isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Multiply)):
        return False
    for weight, term in ((node.left, node.right), (node.right, node.left)):
        if (evaluator.taint(weight, where) and not evaluator.carries_gradient(weight, where)
                and evaluator.range(term, where, "likelihood").has_log):
            return True
    return False
