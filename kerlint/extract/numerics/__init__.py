"""Custom losses and metrics: which functions they are, and the numeric hazards inside their bodies.

Three questions are asked of every expression inside a custom loss or metric, by the `Evaluator` (see `evaluator` for how its analyses are composed):
taint (is it computed from the loss's inputs: `taint`), guard (what keeps it in the safe domain of
log / sqrt / a denominator, or bounds an exp's argument: `guards`), and range (an interval, for the
sign of the returned value: `ranges`, `sign`). Which functions are asked about is `discovery`'s job;
which ops are asked about, `ops`'s. Every doubt ends in silence: what cannot be resolved counts as
guarded or of unknown sign.
"""

from __future__ import annotations

import libcst as cst

from kerlint.extract.bindings import NameResolver
from kerlint.extract.collect import ModuleContext
from kerlint.extract.models import BuiltModels
from kerlint.extract.numerics.discovery import Candidate, Discovery
from kerlint.extract.numerics.hazards import numeric_ops
from kerlint.extract.numerics.evaluator import Analyses
from kerlint.extract.numerics.module import ModuleAnalysis
from kerlint.extract.numerics.sign import is_final_loss, unnegated_objective, unnegated_return
from kerlint.extract.numerics.loss_calls import loss_calls
from kerlint.extract.numerics.readings import called_functions, probability_reading
from kerlint.facts import CustomFunction, LossCall

__all__ = ["custom_functions", "numeric_facts"]


def numeric_facts(ctx: ModuleContext, roles: dict[cst.FunctionDef, str], names: NameResolver | None = None,
                  models: BuiltModels | None = None) -> tuple[list[CustomFunction], list[LossCall]]:
    """The custom losses and metrics, and the crossentropies computed in tensor code. `names`: the
    module's resolver, when value resolution already has one (its caches are shared); `models`: the models
    the module builds, whose outputs a call of a model (`model(x)`, `self(x)`) gives."""
    analyses = Analyses(ModuleAnalysis(ctx, names, models))
    candidates = Discovery(analyses).candidates(roles)
    functions = _analyze_all(analyses, candidates)
    objectives = [c.objective for c in candidates if c.objective is not None]
    return functions, loss_calls(analyses, objectives)


def custom_functions(ctx: ModuleContext, roles: dict[cst.FunctionDef, str]) -> list[CustomFunction]:
    """Every custom loss and metric of the module, with the numeric hazards inside it.

    `roles` maps the functions compile() uses to "loss" or "metric". Also found: (y_true, y_pred)-style
    functions ("loss-like"), `call` of Loss subclasses, inner functions returned by loss factories, and
    functions called from any of these (analyzed with the caller's role and taint).
    """
    analyses = Analyses(ModuleAnalysis(ctx))
    return _analyze_all(analyses, Discovery(analyses).candidates(roles))


def _analyze_all(analyses: Analyses, candidates: list[Candidate]) -> list[CustomFunction]:
    analyzed = {c.function for c in candidates if c.objective is None}
    claimed: set[int] = set()  # an op reached by two objectives (train and test loss) is reported once
    result = []
    for candidate in candidates:
        if candidate.objective is None:
            result.append(_analyze(analyses, candidate))
            continue
        nodes = [(node, where) for node, where in candidate.objective.ops
                 if id(node) not in claimed and where[0] not in analyzed]
        claimed.update(id(node) for node, _ in nodes)
        result.append(_analyze(analyses, candidate, nodes))
    return result


def _anchor(function) -> cst.CSTNode:
    return function if isinstance(function, cst.Lambda) else function.name


def _numpy_only(module: ModuleAnalysis, function) -> bool:
    """A (y_true, y_pred) function that is never compiled and computes with NumPy alone: post-hoc
    reporting on arrays, which no gradient flows through."""
    if isinstance(function, cst.Lambda):
        return False
    packages = {(module.ctx.callee(site.call) or "").split(".")[0] for site in module.ctx.tables.calls
                if site.scope is function}
    return "numpy" in packages and not packages & GRADIENT_PACKAGES


GRADIENT_PACKAGES = frozenset({"keras", "tensorflow", "jax", "torch"})


def _analyze(analyses: Analyses, candidate: Candidate, nodes=None) -> CustomFunction:
    function = candidate.function
    module = analyses.module
    evaluator = analyses.evaluator(function, candidate.sources)
    if candidate.objective is not None:
        name, anchor = candidate.objective.name, candidate.objective.anchor
        ops, constants = numeric_ops(evaluator, name, nodes, gradient_path=True)
        return CustomFunction(name=name, span=module.ctx.span(anchor), role="loss",
                              numeric_ops=ops, small_constants=constants,
                              unnegated_log_likelihood=unnegated_objective(evaluator, candidate.objective))
    name = module.display_name(function)
    if not candidate.explicit and not candidate.gradient_path and _numpy_only(module, function):
        return CustomFunction(name=name, span=module.ctx.span(_anchor(function)), role=candidate.role)
    ops, constants = numeric_ops(evaluator, name, gradient_path=candidate.gradient_path)
    result = CustomFunction(name=name, span=module.ctx.span(_anchor(function)), role=candidate.role,
                            numeric_ops=ops, small_constants=constants,
                            probability_reading=probability_reading(evaluator),
                            helpers=called_functions(module, function))
    if is_final_loss(candidate, name):
        result.unnegated_log_likelihood = unnegated_return(evaluator, name)
    return result
