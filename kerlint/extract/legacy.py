"""Keras 1/2 spellings that current Keras (3.x) rejects: renamed arguments, removed methods and modules."""

from __future__ import annotations

import libcst as cst

from kerlint.extract import keras_api as api
from kerlint.extract.collect import ModuleContext
from kerlint.extract.names import KERAS_PREFIXES, keras_member
from kerlint.facts import LegacyUsage

STANDALONE_ONLY = "keras.preprocessing.image.ImageDataGenerator"
FIT_LIKE = ("fit", "fit_generator", "evaluate", "evaluate_generator", "predict", "predict_generator")


def legacy_usages(ctx: ModuleContext) -> list[LegacyUsage]:
    found = _imports(ctx)
    reported_modules = {usage.old for usage in found}
    for site in ctx.tables.calls:
        call = site.call
        callee = ctx.callee(call)
        optimizer = keras_member(callee, "optimizers")
        if optimizer in api.OPTIMIZER_DEFAULTS:
            found += _renamed_keywords(ctx, call, api.RENAMED_OPTIMIZER_ARGUMENTS, "optimizer-argument", ctx.text(call, 70))
        if isinstance(call.func, cst.Attribute) and callee is None:
            method = call.func.attr.value
            if method in FIT_LIKE:
                found += _renamed_keywords(ctx, call, api.RENAMED_FIT_ARGUMENTS, "fit-argument", f".{method}(...)")
            if method in api.REMOVED_METHODS:
                found.append(LegacyUsage("training-method", method, api.REMOVED_METHODS[method], f".{method}(...)",
                                         ctx.span(call.func.attr)))
        name = _public_backend_function(ctx.qualify(call.func, fold=False))
        if name and name not in api.KERAS3_BACKEND:
            found.append(LegacyUsage("backend-function", ctx.text(call.func), api.backend_replacement(name),
                                     ctx.text(call, 60), ctx.span(call.func)))
        module = _removed_module(ctx.qualify(call.func, fold=False))
        if module and module not in reported_modules:
            reported_modules.add(module)  # a fragment without imports: report the first use only
            found.append(LegacyUsage("module", module, api.REMOVED_MODULES[module], ctx.text(call.func),
                                     ctx.span(call.func)))
    return found


def _public_backend_function(qualified: str | None) -> str | None:
    """"keras.backend.sum" (any dialect) -> "sum"; Keras' own internals (keras.src.backend...) -> None."""
    if not qualified or qualified.startswith("keras.src."):
        return None
    parts = _normalize_prefix(qualified).split(".")
    return parts[2] if len(parts) == 3 and parts[:2] == ["keras", "backend"] else None


def _imports(ctx: ModuleContext) -> list[LegacyUsage]:
    found = []
    seen_nodes = set()
    for module, node in ctx.tables.imports.modules_imported:
        removed = _removed_module(module)
        if removed and id(node) not in seen_nodes:
            seen_nodes.add(id(node))
            found.append(LegacyUsage("module", removed, api.REMOVED_MODULES[removed], ctx.text(node, 80), ctx.span(node)))
    return found


def _removed_module(qualified: str | None) -> str | None:
    if not qualified:
        return None
    name = _normalize_prefix(qualified)
    if name.startswith(STANDALONE_ONLY) and not qualified.startswith("keras."):
        return None  # tf.keras still ships ImageDataGenerator
    for module in api.REMOVED_MODULES:
        if name == module or name.startswith(module + "."):
            return module
    return None


def _normalize_prefix(name: str) -> str:
    for prefix in KERAS_PREFIXES:
        if name == prefix or name.startswith(prefix + "."):
            return "keras" + name[len(prefix):]
    return name


def _renamed_keywords(ctx, call: cst.Call, table: dict, kind: str, context: str) -> list[LegacyUsage]:
    return [
        LegacyUsage(kind, arg.keyword.value, table[arg.keyword.value], context, ctx.span(arg))
        for arg in call.args
        if arg.keyword is not None and arg.keyword.value in table
    ]
