"""Arrays changed in place after they are bound (`mask[mask > 0] = 1`, `y[idx] += 1`): what an array was
built from no longer tells its values."""

from __future__ import annotations

import libcst as cst


class InPlaceWrites(cst.CSTVisitor):
    def __init__(self, module: cst.Module) -> None:
        self.bound: dict[cst.CSTNode, set[str]] = {}  # an assigned value -> the names it is bound to
        self.written: set[str] = set()  # names written through a subscript somewhere in the module
        module.visit(self)

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._target(target.target, node.value)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._target(node.target, None)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._target(node.target, node.value)

    def _target(self, target: cst.BaseExpression, value: cst.BaseExpression | None) -> None:
        if isinstance(target, cst.Name) and value is not None:
            self.bound.setdefault(value, set()).add(target.value)
        elif isinstance(target, cst.Subscript) and isinstance(target.value, cst.Name):
            self.written.add(target.value.value)

    def changed_after_binding(self, value: cst.CSTNode) -> bool:
        """The value is bound to a name that is later (or anywhere) written through a subscript."""
        return bool(self.bound.get(value, set()) & self.written)
