"""Rule selectors: `ALL`, a code prefix (`KL1`, `KL101`), a family tag (`optimizer`) or a rule name.

Selection works in layers, as in Ruff: the config file's select/extend-select/ignore, then the command
line's. Within a layer a `select` starts over, `extend-select` adds, `ignore` removes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from kerlint.registry import all_rules
from kerlint.rule import ENGINE_TAG, FAMILIES


class SelectorError(ValueError):
    pass


def codes_for(selector: str) -> frozenset[str]:
    """The rule codes one selector names; SelectorError when it names none."""
    text = selector.strip()
    rules = all_rules()
    if text.upper() == "ALL":
        return frozenset(rule.code for rule in rules)
    lowered = text.lower()
    if lowered in FAMILIES or lowered == ENGINE_TAG:
        return frozenset(rule.code for rule in rules if rule.tag == lowered)
    by_name = [rule.code for rule in rules if rule.name == lowered]
    if by_name:
        return frozenset(by_name)
    upper = text.upper()
    if upper.startswith("KL"):
        by_prefix = frozenset(rule.code for rule in rules if rule.code.startswith(upper))
        if by_prefix:
            return by_prefix
    raise SelectorError(
        f"unknown rule selector {selector!r}: expected ALL, a code or code prefix (KL1, KL101), "
        f"a family ({', '.join(FAMILIES)}) or a rule name; `kerlint rules` lists them"
    )


def codes_for_all(selectors: Iterable[str]) -> frozenset[str]:
    found: set[str] = set()
    for selector in selectors:
        found |= codes_for(selector)
    return frozenset(found)


@dataclass(frozen=True)
class SelectionLayer:
    select: tuple[str, ...] | None = None  # None: keep what the previous layer enabled
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()

    def apply(self, enabled: frozenset[str]) -> frozenset[str]:
        if self.select is not None:
            enabled = codes_for_all(self.select)
        return (enabled | codes_for_all(self.extend_select)) - codes_for_all(self.ignore)


def enabled_codes(layers: Iterable[SelectionLayer]) -> frozenset[str]:
    """Every rule is on by default; each layer then changes that."""
    enabled = codes_for("ALL")
    for layer in layers:
        enabled = layer.apply(enabled)
    return enabled
