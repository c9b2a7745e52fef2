"""The probe document's schema, checked in the parent before anything reads it.

The document is written by the process that ran the user's script, so it is untrusted data: every
field the parent reads (attach.py, verdicts.py, report.py, session.py) is typed here. A key marked
`"name!"` must be present and not null, one marked `"name~"` may be absent but not null, any other
may be absent or null; unknown keys are allowed (new measurements). `validate` returns the document with every string made printable (control
characters and escape codes shown escaped, as the reporters show file names), or raises SchemaError
naming the first bad field.
"""

from __future__ import annotations

from typing import Any

from kerlint.reporters import printable

MAX_DEPTH = 12


class SchemaError(ValueError):
    pass


NUMBER = "number"  # int or float (NaN/Inf allowed: they are measurements), never a bool
MEASURED = "measured"  # a number, or its text ("nan", "1.5"): the child writes NumPy scalars with str()
TEXT, WHOLE, FLAG = str, int, bool


def _strings(value: Any) -> bool:
    return isinstance(value, dict) and all(isinstance(k, str) for k in value)


RANGE = {"min!": NUMBER, "max!": NUMBER, "mean~": NUMBER, "std~": NUMBER, "distinct": WHOLE, "count": WHOLE, "nonfinite": WHOLE}
ROW = {"step!": WHOLE, "loss!": MEASURED, "grad_norm!": MEASURED, "pred_min~": MEASURED, "pred_max~": MEASURED,
       "pred_spread~": NUMBER, "zero_sum": MEASURED, "zero_frac": MEASURED, "update_ratio": MEASURED,
       "layer_norms": {str: MEASURED}, "top_layer": TEXT, "top_layer_norm": MEASURED, "saturated~": NUMBER}
STABILITY = {"note~": TEXT, "kind": TEXT, "lr": NUMBER, "beta": NUMBER, "sharpness~": NUMBER, "compared~": NUMBER,
             "edge~": NUMBER, "formula~": TEXT, "ratio~": NUMBER, "when": TEXT, "iterations": WHOLE, "seconds": NUMBER}
PROBE = {"skipped": TEXT, "error": TEXT, "trajectory": [ROW], "seconds": NUMBER, "device": TEXT, "stability": STABILITY,
         "failed": {"step!": WHOLE, "error!": TEXT},
         "adam": {"epsilon!": NUMBER, "median_sqrt_v!": NUMBER, "min_sqrt_v": NUMBER, "frac_sqrt_v_below_10eps!": NUMBER}}
FINDING = {"code!": TEXT, "line!": WHOLE, "col!": WHOLE, "message!": TEXT, "fix": TEXT,
           "related": [{"line!": WHOLE, "message!": TEXT}]}
MODEL = {
    "class": TEXT, "line": WHOLE, "compile_line": WHOLE, "scales_inputs": FLAG, "notes": [TEXT],
    "outputs": [{"activation": TEXT, "units": WHOLE, "layer": TEXT, "line": WHOLE}],
    "losses": [{"name": TEXT, "text": TEXT, "from_logits": FLAG}],
    "optimizer": {"name": TEXT, "text": TEXT, "line": WHOLE, "params": {str: object}, "given": [TEXT]},
    "runs": [{"method": TEXT, "line": WHOLE, "epochs": WHOLE, "steps_per_epoch": WHOLE, "calls": WHOLE}],
    "data": {"source": TEXT, "inputs": RANGE, "targets": RANGE, "inputs_each": [RANGE], "targets_each": [RANGE]},
    "findings": [FINDING],
    "probe": PROBE,
}
DOCUMENT = {"file": TEXT, "stage": TEXT, "notes!": [TEXT], "models!": [MODEL]}


def _check(value: Any, spec: Any, where: str, depth: int = 0) -> None:
    if depth > MAX_DEPTH:
        raise SchemaError(f"{where}: nested too deeply")
    if spec is object:
        return
    if spec == MEASURED and isinstance(value, str):
        try:
            float(value)
        except ValueError:
            raise SchemaError(f"{where}: expected a number, got {value[:40]!r}") from None
    elif spec in (NUMBER, MEASURED):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise SchemaError(f"{where}: expected a number, got {type(value).__name__}")
    elif isinstance(spec, type):
        if not isinstance(value, spec) or (spec is int and isinstance(value, bool)):
            raise SchemaError(f"{where}: expected {spec.__name__}, got {type(value).__name__}")
    elif isinstance(spec, list):
        if not isinstance(value, list):
            raise SchemaError(f"{where}: expected a list, got {type(value).__name__}")
        for index, item in enumerate(value):
            _check(item, spec[0], f"{where}[{index}]", depth + 1)
    elif isinstance(spec, dict) and str in spec:  # a mapping of names to values
        if not _strings(value):
            raise SchemaError(f"{where}: expected an object")
        for key, item in value.items():
            _check(item, spec[str], f"{where}.{key}", depth + 1)
    else:
        if not _strings(value):
            raise SchemaError(f"{where}: expected an object, got {type(value).__name__}")
        for key, sub in spec.items():
            name = key.rstrip("!~")
            if name not in value:
                if key.endswith("!"):
                    raise SchemaError(f"{where}.{name}: missing")
            elif value[name] is None:
                if key.endswith(("!", "~")):
                    raise SchemaError(f"{where}.{name}: null")
            else:
                _check(value[name], sub, f"{where}.{name}", depth + 1)


def validate(document: Any) -> dict:
    """The document, when every field the parent reads has its type; SchemaError otherwise."""
    try:
        _check(document, DOCUMENT, "document")
        return _printable(document)
    except RecursionError:  # an unknown key nested a thousand deep
        raise SchemaError("document: nested too deeply") from None


def _printable(value: Any) -> Any:
    if isinstance(value, str):
        return printable(value)
    if isinstance(value, dict):
        return {printable(key): _printable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_printable(item) for item in value]
    return value
