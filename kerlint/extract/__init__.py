"""Static fact extraction: one libcst parse, one batched visit, then resolution over what it collected."""

from __future__ import annotations

import libcst as cst

from kerlint.extract.collect import ModuleContext
from kerlint.extract.legacy import legacy_usages
from kerlint.extract.numerics import numeric_facts
from kerlint.extract.training import TrainingExtractor
from kerlint.extract.values import Evaluator
from kerlint.facts import ModuleFacts


def extract_facts(module: cst.Module, path: str) -> ModuleFacts:
    facts = ModuleFacts(path=path)
    ctx = ModuleContext(module, path)
    training = TrainingExtractor(ctx, Evaluator(ctx))
    training.extract(facts)
    facts.custom_functions, facts.loss_calls = numeric_facts(ctx, training.roles)
    facts.legacy = legacy_usages(ctx)
    return facts
