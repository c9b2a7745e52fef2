"""The sign of a loss: a final loss that returns a log-likelihood (a value <= 0 with a log-probability
in it) without negating it drives the likelihood down as it is minimized."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kerlint.extract.numerics.evaluator import Evaluator
from kerlint.extract.numerics.vocabulary import LIKELIHOOD_NAMES
from kerlint.facts import LogLikelihoodReturn

if TYPE_CHECKING:
    from kerlint.extract.numerics.discovery import Candidate


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
