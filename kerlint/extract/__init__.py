"""Static fact extraction: one libcst parse, one batched visit, then resolution over what it collected.

The package's own import loads nothing: rules import its data modules (`keras_api`) without paying
for libcst, which a run answered from the cache never needs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import libcst as cst

    from kerlint.facts import ModuleFacts


def extract_facts(module: "cst.Module", path: str) -> "ModuleFacts":
    from kerlint.extract.bindings import NameResolver
    from kerlint.extract.collect import ModuleContext
    from kerlint.extract.legacy import legacy_usages
    from kerlint.extract.numerics import numeric_facts
    from kerlint.extract.training import TrainingExtractor
    from kerlint.extract.values import Evaluator
    from kerlint.facts import ModuleFacts

    facts = ModuleFacts(path=path)
    ctx = ModuleContext(module, path)
    names = NameResolver(ctx)  # one resolver of names for both value resolution and the numerics analyses
    training = TrainingExtractor(ctx, Evaluator(ctx, names))
    training.extract(facts)
    facts.custom_functions, facts.loss_calls = numeric_facts(ctx, training.roles, names, training.built_models())
    facts.legacy = legacy_usages(ctx)
    return facts
