"""Fixes that write Keras API a rule names: `keras.ops.*` for a removed backend function, a loss class told
`from_logits=True`.

The fix for a removed backend function: `K.sum(x, axis=1)` -> `keras.ops.sum(x, axis=1)`, adding
`import keras` when the module doesn't have it. Offered as safe only when it is certain to mean the same:
the function is one whose keras.ops twin has the same parameters and defaults (SAME_SIGNATURE), the call
passes only keywords both spell alike, and the name `keras` is either the module from a top-level
`import keras` or bound nowhere in the file (so adding the import changes no other name)."""

from __future__ import annotations

import ast

from kerlint.diagnostic import Span
from kerlint.fix import Edit, Fix
from kerlint.source import SourceText

REDUCTIONS = frozenset({"axis", "keepdims"})
# keras.backend function -> the keywords it shares with keras.ops.<same name> (same positions, same defaults).
# Not argmax/argmin/concatenate/l2_normalize/...: their defaults differ (axis=-1 in the backend).
SAME_SIGNATURE = {
    **{name: REDUCTIONS for name in ("sum", "mean", "max", "min", "prod", "std", "var", "any", "all")},
    **{name: frozenset() for name in (
        "abs", "exp", "log", "sqrt", "square", "sign", "round", "floor", "ceil", "sin", "cos", "tanh", "sigmoid",
        "softplus", "softsign", "stop_gradient", "maximum", "minimum", "equal", "not_equal", "greater",
        "greater_equal", "less", "less_equal", "log1p", "ones_like", "zeros_like",
    )},
    "cast": frozenset({"dtype"}),
}


def backend_to_ops(source: SourceText | None, span: Span, name: str) -> Fix | None:
    """The fix for the backend call whose callee (`K.sum`) is at `span`; None unless it is certain."""
    if source is None or source.tree is None or name not in SAME_SIGNATURE:
        return None
    call = _call_with_callee_at(source, span)
    if call is None or any(keyword.arg not in SAME_SIGNATURE[name] for keyword in call.keywords):
        return None
    if any(isinstance(arg, ast.Starred) for arg in call.args):
        return None
    axes = [k.value for k in call.keywords if k.arg == "axis"] + (call.args[1:2] if SAME_SIGNATURE[name] == REDUCTIONS else [])
    if not all(_plain_axis(axis) for axis in axes):
        return None  # a list axis: tf.reduce_sum takes it, keras.ops.sum on the JAX or NumPy backend doesn't
    edits = [Edit(span, f"keras.ops.{name}")]
    binding = _keras_binding(source.tree)
    if binding == "elsewhere":
        return None
    if binding == "unbound":
        where = _import_line(source.tree)
        if where is None:
            return None
        edits.append(Edit(Span.point(where), "import keras\n"))
    return Fix(f"Use keras.ops.{name}", tuple(edits))


def _plain_axis(node: ast.expr) -> bool:
    """None, an int, or a tuple of ints, as literals."""
    if isinstance(node, ast.Tuple):
        return all(_plain_axis(element) and not _is_none(element) for element in node.elts)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        node = node.operand
    return isinstance(node, ast.Constant) and (node.value is None or type(node.value) is int)


def _is_none(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def _call_with_callee_at(source: SourceText, span: Span) -> ast.Call | None:
    for call in source.calls():
        func = call.func
        if (func.lineno, func.end_lineno) != (span.line, span.end_line):
            continue
        if (source.column(func.lineno, func.col_offset), source.column(func.end_lineno, func.end_col_offset)) == (span.col, span.end_col):
            return call
    return None


def _keras_binding(tree: ast.Module) -> str:
    """"module": a top-level `import keras` and no other binding of `keras`; "unbound": `keras` is bound
    nowhere; "elsewhere": anything else (`from tensorflow import keras`, a parameter, an assignment...)."""
    plain_import = any(
        isinstance(node, ast.Import) and any(alias.name == "keras" and alias.asname is None for alias in node.names)
        for node in tree.body
    )
    others = loads = 0
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                bound = alias.asname or alias.name.split(".")[0]
                if bound == "keras" and not (isinstance(node, ast.Import) and alias.name == "keras" and alias.asname is None and node in tree.body):
                    others += 1
        elif isinstance(node, ast.Name) and node.id == "keras":
            if isinstance(node.ctx, ast.Load):
                loads += 1
            else:
                others += 1
        elif isinstance(node, ast.arg) and node.arg == "keras":
            others += 1
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name == "keras":
            others += 1
        elif isinstance(node, (ast.Global, ast.Nonlocal)) and "keras" in node.names:
            others += 1
    if others or (loads and not plain_import):  # a `keras` used but never imported: the import would define it
        return "elsewhere"
    return "module" if plain_import else "unbound"


def _import_line(tree: ast.Module) -> int | None:
    """The line of the first top-level import after any `from __future__` ones: `import keras` goes above it."""
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module == "__future__":
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            return node.lineno if node.col_offset == 0 else None
    return None


LOSS_CLASSES = {
    "binary_crossentropy": "BinaryCrossentropy",
    "categorical_crossentropy": "CategoricalCrossentropy",
    "sparse_categorical_crossentropy": "SparseCategoricalCrossentropy",
}


def loss_from_logits(source: SourceText | None, span: Span, name: str | None) -> Fix | None:
    """Unsafe (it changes what the model's output means): the loss at `span` told from_logits=True. A loss
    class call gets the keyword; a loss named by string becomes `keras.losses.<Class>(from_logits=True)`
    where `keras` is the module from a top-level `import keras` and nothing else."""
    if source is None or source.tree is None:
        return None
    from kerlint.call_edits import call_at, set_keyword

    title = "Tell the loss from_logits=True"
    call = call_at(source, span)
    if call is not None:
        callee = call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", None)
        if callee not in LOSS_CLASSES.values():
            return None
        return set_keyword(source, span, "from_logits", "True", title, "unsafe")
    text = source.lines[span.line - 1][span.col : span.end_col] if span.line == span.end_line else ""
    if name not in LOSS_CLASSES or _keras_binding(source.tree) != "module":
        return None
    try:
        if ast.literal_eval(text) != name:
            return None
    except (SyntaxError, ValueError):
        return None
    return Fix(title, (Edit(span, f"keras.losses.{LOSS_CLASSES[name]}(from_logits=True)"),), "unsafe")
