"""What, in a program's facts, can make gradients spike: the context optimizer rules need before they
call an unclipped step size dangerous. Reads facts only."""

from __future__ import annotations

from kerlint.keras_api import RECURRENT_LAYERS
from kerlint.facts import Model, ModuleFacts, Optimizer

UNSCALED_INPUT = 100.0  # inputs reaching this magnitude are not scaled to the initialisation's assumptions


def models_for(facts: ModuleFacts, optimizer: Optimizer) -> list[Model]:
    """The models compiled with this optimizer (the one trained model when no compile() names it)."""
    owners = [m for m in facts.models if any(c.optimizer is optimizer for c in m.compiles)]
    if owners:
        return owners
    trained = [m for m in facts.models if m.runs]
    return trained if len(trained) == 1 else []


def unscaled_inputs(model: Model) -> str | None:
    """How the inputs of a model's training runs are evidently unscaled, when nothing in the model copes."""
    if model.scales_inputs or model.normalizes_first_layer:
        return None
    for run in model.runs:
        inputs = run.inputs
        if inputs is None:
            continue
        if inputs.raw_pixels is not None:
            return f"its inputs {inputs.text} are raw 0..255 pixels"
        if inputs.high is not None and inputs.low is not None and max(abs(inputs.low), abs(inputs.high)) >= UNSCALED_INPUT:
            return f"its inputs {inputs.text} reach {max(abs(inputs.low), abs(inputs.high)):g} unscaled"
    return None


def spiking_gradients(facts: ModuleFacts, optimizer: Optimizer) -> str | None:
    """Why this optimizer's gradients can spike, in a clause for a message; None when nothing says so."""
    if facts.ctc_losses:
        return f"the model trains on a CTC loss (line {facts.ctc_losses[0].line}), whose gradients spike"
    models = models_for(facts, optimizer)
    custom = {f.name: f for f in facts.custom_functions if f.role in ("loss", "loss-like")}
    compiled_losses = [loss for m in models for c in m.compiles if c.optimizer in (optimizer, None) for loss in c.losses]
    if compiled_losses:
        candidates = [custom[loss.function] for loss in compiled_losses if loss.function in custom]
    else:
        candidates = list(custom.values())
    for function in candidates:
        divisions = [op for op in function.numeric_ops if op.kind == "divide" and op.depends_on_prediction]
        if divisions:
            return (f"the loss {function.name} is a ratio of the predictions ({divisions[0].text}), "
                    "whose gradient spikes when the denominator gets small")
    for model in models:
        recurrent = sorted((model.layer_kinds or frozenset()) & RECURRENT_LAYERS)
        if recurrent:
            return f"the model is recurrent ({', '.join(recurrent)}), where gradients can explode"
        unscaled = unscaled_inputs(model)
        if unscaled:
            return unscaled
    return None
