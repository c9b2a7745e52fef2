"""kerlint: a linter for Keras training code."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

__version__ = "0.1.0"


def _mount_rules_from_checkout() -> None:
    # The rules live in the repository's top-level `rules/` folder (one module per rule) and the
    # wheel ships them as `kerlint.rules`. In a source checkout or an editable install there is no
    # kerlint/rules folder, so point the subpackage at the checkout's rules/ instead.
    package_dir = Path(__file__).resolve().parent
    if (package_dir / "rules").is_dir() or "kerlint.rules" in sys.modules:
        return
    rules_dir = package_dir.parent / "rules"
    init = rules_dir / "__init__.py"
    if not init.is_file():
        return
    spec = importlib.util.spec_from_file_location(
        "kerlint.rules", init, submodule_search_locations=[str(rules_dir)]
    )
    if spec is None or spec.loader is None:
        return
    module = importlib.util.module_from_spec(spec)
    sys.modules["kerlint.rules"] = module
    spec.loader.exec_module(module)
    globals()["rules"] = module  # as the import system does for a submodule: `kerlint.rules.x` resolves


_mount_rules_from_checkout()
