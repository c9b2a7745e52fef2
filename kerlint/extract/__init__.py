"""Static fact extraction: one libcst parse, one batched visit, then resolution over what it collected."""

from __future__ import annotations

import libcst as cst

from kerlint.facts import ModuleFacts


def extract_facts(module: cst.Module, path: str) -> ModuleFacts:
    return ModuleFacts(path=path)
