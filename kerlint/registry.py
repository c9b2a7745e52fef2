"""Finds the rules: every module in kerlint.rules defines exactly one Rule subclass."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from functools import lru_cache

from kerlint.rule import ENGINE_TAG, FAMILIES, Rule


@lru_cache(maxsize=1)
def all_rules() -> tuple[type[Rule], ...]:
    import kerlint.rules as package

    found: dict[str, type[Rule]] = {}
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        classes = [
            obj
            for obj in vars(module).values()
            if inspect.isclass(obj) and issubclass(obj, Rule) and obj is not Rule and obj.__module__ == module.__name__
            and not inspect.isabstract(obj) and "code" in vars(obj)
        ]
        if len(classes) != 1:
            raise RuntimeError(f"{module.__name__} must define exactly one rule, found {len(classes)}")
        rule = classes[0]
        if rule.code in found:
            raise RuntimeError(f"duplicate rule code {rule.code} in {module.__name__}")
        if rule.tag not in FAMILIES and rule.tag != ENGINE_TAG:
            raise RuntimeError(f"{rule.code}: unknown tag {rule.tag!r}")
        found[rule.code] = rule
    return tuple(sorted(found.values(), key=lambda r: r.code))


def rule_by_code(code: str) -> type[Rule] | None:
    for rule in all_rules():
        if rule.code == code.upper():
            return rule
    return None
