"""A finding's code + what the short run measured -> confirmed / not reproduced / inconclusive.

Pure Python over the child's JSON, so it is tested without TensorFlow. Evidence is always numbers:
"loss NaN at step 17", "gradient norm grew 340x in 40 steps", "binary CE -2.6 < 0: targets span
[-1.3, 2.9]". Thresholds follow the runtime monitors of prior work (AUTOTRAINER: a gradient-norm
ratio above 70).
"""

from __future__ import annotations

import math
from typing import Any

CONFIRMED, NOT_REPRODUCED, INCONCLUSIVE = "confirmed", "not reproduced", "inconclusive"
GROWTH = 70.0  # gradient-norm growth that counts as exploding
BASELINE_STEPS = 5  # the gradient norm's reference: its median over the first steps
COLLAPSE = 100.0  # spike / later median that counts as a collapse into saturation
UNIT_DOMAIN = (0.0, 1.0)
OUTPUT_RANGE = {"sigmoid": (0.0, 1.0), "hard_sigmoid": (0.0, 1.0), "softmax": (0.0, 1.0), "tanh": (-1.0, 1.0),
                "relu": (0.0, math.inf), "softplus": (0.0, math.inf)}


def _num(value: Any) -> float:
    return float(value) if not isinstance(value, str) else float(value)  # "nan", "inf", "-inf" parse


def _fmt(value: float) -> str:
    if isinstance(value, str) or not math.isfinite(value):
        return {"nan": "NaN"}.get(str(value), str(value))
    return f"{value:.3g}" if abs(value) < 1e4 else f"{value:.2e}"


class Evidence:
    """Questions about one model's trajectory."""

    def __init__(self, result: dict) -> None:
        self.rows = result.get("trajectory") or []
        self.losses = [_num(r["loss"]) for r in self.rows]
        self.norms = [_num(r["grad_norm"]) for r in self.rows]
        self.result = result

    def nonfinite_loss(self) -> str | None:
        for row, loss in zip(self.rows, self.losses):
            if not math.isfinite(loss):
                return f"loss {_fmt(row['loss'])} at step {row['step']}"
        for row, norm in zip(self.rows, self.norms):
            if not math.isfinite(norm):
                return f"gradient norm {_fmt(row['grad_norm'])} at step {row['step']}"
        return None

    def negative_loss(self) -> tuple[int, float] | None:
        for row, loss in zip(self.rows, self.losses):
            if math.isfinite(loss) and loss < -1e-6:
                return row["step"], min(l for l in self.losses if math.isfinite(l))
        return None

    def growth(self) -> str | None:
        """The gradient norm against its median over the first steps (a dip is not a baseline)."""
        early = sorted(n for n in self.norms[:BASELINE_STEPS] if math.isfinite(n))
        if not early or early[len(early) // 2] <= 0:
            return None
        base = early[len(early) // 2]
        best = None
        for step, norm in enumerate(self.norms):
            if math.isfinite(norm) and norm / base >= GROWTH and (best is None or norm > best[1]):
                best = (step, norm)
        if best is None:
            return None
        step, norm = best
        return (f"gradient norm grew {norm / base:.0f}x in {step} steps (median {_fmt(base)} over steps 0-{BASELINE_STEPS - 1}"
                f" -> {_fmt(norm)} at step {step}){self.mostly(step)}")

    def mostly(self, step: int) -> str:
        """`, mostly in dense_1 (9.8 of 10, up 412x)`: the layer with the largest gradient at `step`, its
        share of the global norm and its own growth against its early median (from the per-layer norms)."""
        row = self.rows[step]
        layers = row.get("layer_norms") or {}
        layer = row.get("top_layer")
        if not layer:
            return ""
        if layer not in layers:
            return f", largest in layer {layer}"
        value = _num(layers[layer])
        text = f", mostly in {layer} ({_fmt(value)} of {_fmt(self.norms[step])}"
        early = sorted(v for v in (_num((r.get("layer_norms") or {}).get(layer, "nan")) for r in self.rows[:BASELINE_STEPS])
                       if math.isfinite(v))
        if early and early[len(early) // 2] > 0 and math.isfinite(value):
            text += f", up {value / early[len(early) // 2]:.0f}x"
        return text + ")"

    def collapse(self) -> str | None:
        """A gradient spike, then the norm collapses while the loss stops improving: the update threw the
        weights into a saturated region (the "loss jumps and plateaus" of an unclipped step)."""
        finite = [(i, n) for i, n in enumerate(self.norms) if math.isfinite(n)]
        if len(finite) < 30 or len(finite) != len(self.norms):
            return None
        peak_step, peak = max(finite[: len(finite) - 10], key=lambda item: item[1])
        tail = sorted(self.norms[-10:])
        tail_norm = tail[len(tail) // 2]
        best_before = min(self.losses[: peak_step + 1])
        tail_loss = sum(self.losses[-10:]) / 10
        if tail_norm > 0 and peak / tail_norm >= COLLAPSE and tail_loss >= best_before:
            saturated = self.rows[-1].get("saturated")
            extra = f"; {saturated:.0%} of outputs saturated" if saturated else ""
            return (f"gradient norm spiked to {_fmt(peak)} at step {peak_step}{self.mostly(peak_step)}, then collapsed {peak / tail_norm:.0f}x to "
                    f"{_fmt(tail_norm)} while the loss stuck at {_fmt(tail_loss)} (best {_fmt(best_before)} before the spike){extra}")
        return None

    def plateau(self) -> str | None:
        """The loss jumped up from its best and stayed flat for the last 10 steps."""
        finite = [l for l in self.losses if math.isfinite(l)]
        if len(finite) < 20 or len(finite) != len(self.losses):
            return None
        tail = finite[-10:]
        best = min(finite[:-10])
        if max(tail) - min(tail) < 1e-4 and tail[-1] > best + 0.1 and max(self.norms[-10:]) < 1e-6:
            return f"loss jumped from {_fmt(best)} to a flat {tail[-1]:.4f} with gradient norm ~0 for the last 10 steps"
        return None

    def first(self, key: str, test) -> dict | None:
        for row in self.rows:
            if key in row and row[key] is not None and test(row[key]):
                return row
        return None

    def summary(self) -> str:
        if not self.rows:
            return "no step ran"
        finite = [l for l in self.losses if math.isfinite(l)]
        norms = [n for n in self.norms if math.isfinite(n)]
        text = f"{len(self.rows)} steps: loss {_fmt(self.losses[0])} -> {_fmt(self.losses[-1])}"
        if finite:
            text += f" (min {_fmt(min(finite))})"
        if norms:
            text += f", gradient norm {_fmt(min(norms))}..{_fmt(max(norms))}"
        return text


def _span(r: dict | None) -> str:
    return f"[{_fmt(r['min'])}, {_fmt(r['max'])}]" if r else "?"


def _outside(r: dict | None, low: float, high: float) -> bool:
    return bool(r) and (r["min"] < low - 1e-6 or r["max"] > high + 1e-6)


def verdict(code: str, model: dict, result: dict | None, steps_total: int | None = None) -> dict | None:
    """The verdict for one finding code on one probed model; None for codes a run can't speak to."""
    family = code[:3]
    if family in ("KL0", "KL6", "KL7"):
        return None
    if result is None or result.get("error"):
        why = (result or {}).get("error") or "the model was not trained"
        return {"verdict": INCONCLUSIVE, "evidence": f"not probed: {why}"}
    ev = Evidence(result)
    if not ev.rows:
        return {"verdict": INCONCLUSIVE, "evidence": "no training step ran within the time budget"}
    data = model.get("data") or {}
    targets, inputs = data.get("targets"), data.get("inputs")
    loss_name = (model.get("losses") or [{}])[0].get("name")
    broken = ev.nonfinite_loss()
    checks = _CHECKS.get(code, _generic)
    found = checks(ev, model, targets, inputs, loss_name, broken, steps_total)
    verdict_, evidence = found
    return {"verdict": verdict_, "evidence": evidence}


def _generic(ev, model, targets, inputs, loss_name, broken, steps_total):
    signal = broken or ev.growth()
    if signal:
        return CONFIRMED, signal
    return NOT_REPRODUCED, ev.summary()


def _kl101(ev, model, targets, inputs, loss_name, broken, steps_total):
    zero = ev.first("zero_sum", lambda v: v > 0)
    if broken:
        return CONFIRMED, broken + (f"; {zero['zero_sum']:.0%} of samples' outputs summed to 0 at step {zero['step']}" if zero else "")
    if zero:
        return CONFIRMED, f"at step {zero['step']} {zero['zero_sum']:.0%} of samples have every output 0: categorical CE divides 0 by 0"
    return NOT_REPRODUCED, ev.summary() + "; no sample's outputs summed to 0"


def _kl103(ev, model, targets, inputs, loss_name, broken, steps_total):
    flat = ev.first("pred_spread", lambda v: v < 1e-7)
    if flat and all(r.get("pred_spread", 1) < 1e-7 for r in ev.rows):
        return CONFIRMED, f"predictions are {_fmt(flat['pred_max'])} for every sample at every step (gradient norm {_fmt(max(ev.norms))})"
    return _generic(ev, model, targets, inputs, loss_name, broken, steps_total)


def _kl105(ev, model, targets, inputs, loss_name, broken, steps_total):
    if all(abs(l) < 1e-7 for l in ev.losses if math.isfinite(l)) and max(ev.norms) < 1e-7:
        return CONFIRMED, f"loss 0 and gradient norm 0 at every one of {len(ev.rows)} steps: nothing is learned"
    return _generic(ev, model, targets, inputs, loss_name, broken, steps_total)


def _target_domain(ev, model, targets, inputs, loss_name, broken, steps_total):
    outputs = model.get("outputs") or [{}]
    low, high = UNIT_DOMAIN
    if loss_name not in (None, "custom") and "crossentropy" not in (loss_name or ""):
        low, high = OUTPUT_RANGE.get(outputs[0].get("activation"), (-math.inf, math.inf))
    negative = ev.negative_loss()
    name = (loss_name or "loss").replace("_", " ").replace("crossentropy", "CE")
    if _outside(targets, low, high):
        text = f"targets span {_span(targets)}, outside [{_fmt(low)}, {_fmt(high)}]"
        if negative:
            text = f"{name} {_fmt(negative[1])} < 0 (first negative at step {negative[0]}): {text}"
        elif broken:
            text = f"{broken}: {text}"
        return CONFIRMED, text
    if negative:
        return CONFIRMED, f"{name} {_fmt(negative[1])} < 0 at step {negative[0]}"
    if targets:
        return NOT_REPRODUCED, f"targets span {_span(targets)}, inside [{_fmt(low)}, {_fmt(high)}]; " + ev.summary()
    return INCONCLUSIVE, "no target values were captured"


def margin_text(stability: dict | None) -> str:
    """`lr is 3.1x past the edge of stability (sharpness 412, edge 2(1+0.9)/0.01 = 380)`, or `within the edge
    of stability (margin 0.4x: ...)`, or why it was not estimated; "" when it was not asked for."""
    if not stability:
        return ""
    if "ratio" not in stability:
        return stability.get("note", "")
    when = "at the start" if stability.get("when") == "start" else "after the run"
    if stability.get("kind") == "adam":
        measured = (f"preconditioned sharpness lr·λmax(diag(1/(√v̂+ε))·H) = {_fmt(stability['compared'])} {when}, "
                    f"Adam edge {stability['formula']} = {_fmt(stability['edge'])}")
    else:
        measured = f"sharpness {_fmt(stability['sharpness'])} {when}, edge {stability['formula']} = {_fmt(stability['edge'])}"
    ratio = stability["ratio"]
    if ratio > 1:
        return f"lr is {ratio:.2g}x past the edge of stability ({measured})"
    return f"lr is within the edge of stability (margin {ratio:.2g}x: {measured})"


def _kl301(ev, model, targets, inputs, loss_name, broken, steps_total):
    signal = broken or ev.growth() or ev.collapse() or ev.plateau()
    margin = margin_text(ev.result.get("stability"))
    margin = f"; {margin}" if margin else ""
    if signal:
        return CONFIRMED, signal + margin
    return NOT_REPRODUCED, ev.summary() + margin


def _kl302(ev, model, targets, inputs, loss_name, broken, steps_total):
    run = f"after {steps_total:,} steps" if steps_total else "late in a long run"
    adam = ev.result.get("adam")
    measured = ""
    if adam:
        measured = (f"; after {len(ev.rows)} steps median √v = {_fmt(adam['median_sqrt_v'])} vs epsilon {_fmt(adam['epsilon'])}"
                    f" ({adam['frac_sqrt_v_below_10eps']:.0%} of weights have √v < 10·epsilon)")
    if broken:
        return CONFIRMED, broken
    return INCONCLUSIVE, (f"a {len(ev.rows)}-step probe cannot show a blow-up the configuration predicts {run}, "
                          f"when v has shrunk" + measured)


def _numerics(ev, model, targets, inputs, loss_name, broken, steps_total):
    """Unguarded log / division / sqrt / power / exp, a vanishing smoothing constant: Inf/NaN or a gradient blow-up."""
    return _generic(ev, model, targets, inputs, loss_name, broken, steps_total)


def _kl407(ev, model, targets, inputs, loss_name, broken, steps_total):
    negative = ev.negative_loss()
    if negative:
        text = f"loss {_fmt(negative[1])} < 0 (first negative at step {negative[0]}): the log-likelihood is maximised toward -inf"
        return CONFIRMED, text + (f"; {broken}" if broken else "")
    return _generic(ev, model, targets, inputs, loss_name, broken, steps_total)


def _kl501(ev, model, targets, inputs, loss_name, broken, steps_total):
    if inputs and inputs["max"] > 10:
        return CONFIRMED, f"inputs span {_span(inputs)} (mean {_fmt(inputs['mean'])}, std {_fmt(inputs['std'])})"
    if inputs:
        return NOT_REPRODUCED, f"inputs span {_span(inputs)}"
    return INCONCLUSIVE, "no input values were captured"


_CHECKS = {
    "KL101": _kl101, "KL103": _kl103, "KL105": _kl105, "KL106": _target_domain, "KL201": _target_domain,
    "KL301": _kl301, "KL303": _kl301, "KL302": _kl302, "KL401": _numerics, "KL402": _numerics, "KL403": _numerics,
    "KL404": _numerics, "KL405": _numerics, "KL406": _numerics, "KL407": _kl407, "KL501": _kl501,
}
