"""Child side: a live, compiled keras.Model -> the facts the static analyzer produces, as JSON.

Activations come from layer configs and classes (never names), walking back through layers that
keep the range (Dropout, Flatten, Reshape, ...). Values are plain JSON; `rebuild.py` turns them back
into `kerlint.facts` objects in the parent.
"""

from __future__ import annotations

from typing import Any

from kerlint.keras_api import (
    ACTIVATION_ALIASES, ACTIVATION_LAYERS, LOSS_ALIASES, RANGE_PRESERVING_LAYERS, UNBOUNDED_LAYERS,
)

OPTIMIZER_KEYS = ("learning_rate", "momentum", "nesterov", "epsilon", "beta_1", "beta_2", "rho",
                  "clipnorm", "clipvalue", "global_clipnorm", "weight_decay")
CLIPPING = ("clipnorm", "clipvalue", "global_clipnorm")


def _round(value: Any) -> Any:
    if isinstance(value, float):
        return float(f"{value:.7g}")  # float32 storage: 0.01 reads back as 0.009999999776
    return value


def _producer(tensor: Any) -> Any:
    history = getattr(tensor, "_keras_history", None)
    return getattr(history, "operation", None)


def _inbound(layer: Any) -> Any:
    nodes = getattr(layer, "_inbound_nodes", None) or []
    tensors = list(getattr(nodes[0], "input_tensors", []) or []) if nodes else []
    return _producer(tensors[0]) if len(tensors) == 1 else None


def _activation_name(value: Any) -> str | None:
    if isinstance(value, str):
        return ACTIVATION_ALIASES.get(value.lower(), value.lower())
    name = getattr(value, "__name__", None)
    return ACTIVATION_ALIASES.get(name.lower(), name.lower()) if name else None


def effective_activation(layer: Any) -> tuple[str | None, Any]:
    """(canonical activation, the layer that applies it); walks back through range-keeping layers."""
    for _ in range(50):
        if layer is None:
            return None, None
        kind = type(layer).__name__
        if kind in ACTIVATION_LAYERS:
            return ACTIVATION_LAYERS[kind], layer
        if kind == "Activation":
            return _activation_name(layer.get_config().get("activation")), layer
        if kind in RANGE_PRESERVING_LAYERS:
            layer = _inbound(layer)
            continue
        if kind in UNBOUNDED_LAYERS:
            return "linear", layer
        if hasattr(layer, "activation") and getattr(layer, "activation") is not None:
            return _activation_name(layer.activation), layer
        return None, layer
    return None, None


def _units(tensor: Any) -> int | None:
    shape = getattr(tensor, "shape", None)
    return int(shape[-1]) if shape and shape[-1] is not None else None


def outputs(model: Any) -> list[dict] | None:
    try:
        tensors = list(model.outputs)
    except Exception:  # noqa: BLE001 - a subclassed model has no symbolic outputs
        return None
    found = []
    for tensor in tensors:
        name, layer = effective_activation(_producer(tensor))
        units = _units(tensor)
        kind = type(layer).__name__ if layer is not None else "?"
        layer_text = f"{kind}({units}, activation={name!r})" if kind not in ACTIVATION_LAYERS and kind != "Activation" else f"{kind}()"
        if kind == "Activation":
            layer_text = f"Activation({name!r})"
        found.append({"activation": name, "units": units, "layer": layer_text,
                      "line": getattr(layer, "_kerlint_line", None), "output_name": getattr(layer, "name", None)})
    return found


def _loss_entry(loss: Any) -> dict:
    if isinstance(loss, str):
        return {"name": LOSS_ALIASES.get(loss.lower().replace(" ", ""), "custom"), "text": repr(loss), "from_logits": None}
    from_logits = getattr(loss, "from_logits", None)
    config = {}
    if hasattr(loss, "get_config"):
        try:
            config = loss.get_config() or {}
        except Exception:  # noqa: BLE001
            config = {}
        from_logits = config.get("from_logits", from_logits)
    fn = getattr(loss, "fn", None)  # LossFunctionWrapper (and the built-in loss classes) wrap a function
    cls = type(loss).__name__
    if fn is not None:
        name = getattr(fn, "__name__", None)
    elif callable(loss) and not hasattr(loss, "get_config"):
        name = getattr(loss, "__name__", None)
    else:
        name = None
    key = (name or cls).lower()
    canonical = LOSS_ALIASES.get(key)
    text = name if fn is None and name else f"{cls}(from_logits={from_logits})"
    entry = {"name": canonical or "custom", "text": text, "from_logits": from_logits,
             "reduction": config.get("reduction")}
    if canonical is None:
        entry["function"] = name or cls
    return entry


def losses(model: Any) -> list[dict]:
    loss = getattr(model, "loss", None)
    if loss is None:
        return []
    if isinstance(loss, dict):
        names = list(getattr(model, "output_names", None) or loss)
        return [_loss_entry(loss[name]) for name in names if name in loss]
    if isinstance(loss, (list, tuple)):
        return [_loss_entry(item) for item in loss]
    return [_loss_entry(loss)]


def optimizer(model: Any) -> dict | None:
    opt = getattr(model, "optimizer", None)
    if opt is None:
        return None
    try:
        config = opt.get_config()
    except Exception:  # noqa: BLE001
        config = {}
    params = {}
    for key in OPTIMIZER_KEYS:
        value = config.get(key)
        if isinstance(value, dict):  # a schedule
            params[key] = None
        elif value is not None:
            params[key] = _round(value)
    name = type(opt).__name__
    shown = ", ".join(f"{key}={params[key]!r}" for key in OPTIMIZER_KEYS if key in params and key not in ("weight_decay",))
    return {
        "name": name, "text": f"{name}({shown})", "params": params,
        "given": sorted(key for key in CLIPPING if config.get(key) is not None),
        "line": getattr(opt, "_kerlint_line", None),
        "schedule": isinstance(config.get("learning_rate"), dict),
    }


def layers(model: Any) -> list[dict]:
    rows = []
    for layer in getattr(model, "layers", []):
        config = {}
        try:
            config = layer.get_config()
        except Exception:  # noqa: BLE001
            pass
        rows.append({"class": type(layer).__name__, "name": layer.name, "activation": _activation_name(config.get("activation"))
                     if "activation" in config else None, "line": getattr(layer, "_kerlint_line", None)})
    return rows


def inspect_model(model: Any) -> dict:
    policy = getattr(getattr(model, "dtype_policy", None), "name", None)
    return {
        "class": type(model).__name__,
        "line": getattr(model, "_kerlint_line", None),
        "compile_line": getattr(model, "_kerlint_compile_line", None),
        "outputs": outputs(model),
        "losses": losses(model),
        "optimizer": optimizer(model),
        "dtype_policy": policy,
        "layers": layers(model),
        "scales_inputs": _scales_inputs(model),
    }


def _scales_inputs(model: Any) -> bool | None:
    first = [layer for layer in getattr(model, "layers", []) if type(layer).__name__ != "InputLayer"][:2]
    if not first:
        return None
    return any(type(layer).__name__ in ("Rescaling", "Normalization", "BatchNormalization", "LayerNormalization") for layer in first)
