"""A finding + what the short run measured -> confirmed / not reproduced / inconclusive.

The checks belong to the rules (`Rule.probe_check`, kerlint/rule.py); this module holds what they share:
`ProbeEvidence`, the questions one can ask about a model's run (NaN at which step, how much the gradient
norm grew, did the loss go negative, ...) and the checks several rules use, and `judge`, which finds the
rule of a code in the registry and runs its check. Pure Python over typed records (kerlint.probe.records),
so it is tested without TensorFlow. Evidence is always numbers: "loss NaN at step 17", "gradient norm grew
340x in 40 steps", "binary CE -2.6 < 0: targets span [-1.3, 2.9]". Thresholds follow the runtime monitors
of prior work (AUTOTRAINER: a gradient-norm ratio above 70).
"""

from __future__ import annotations

import math
from typing import Any, Callable, Mapping

from kerlint.keras_api import CLIPPING_PARAMETERS
from kerlint.probe.records import ModelEntry, ProbeRun, Stability, Step, ValueRange
from kerlint.registry import rule_by_code
from kerlint.verdict import CONFIRMED, INCONCLUSIVE, NOT_REPRODUCED, Judgement, ProbeVerdict, fmt, span_text

__all__ = ["CONFIRMED", "INCONCLUSIVE", "NOT_REPRODUCED", "ProbeEvidence", "judge", "probed", "verdict"]

GROWTH = 70.0  # gradient-norm growth that counts as exploding
BASELINE_STEPS = 5  # the gradient norm's reference: its median over the first steps
COLLAPSE = 100.0  # spike / later median that counts as a collapse into saturation
UNIT_DOMAIN = (0.0, 1.0)
OUTPUT_RANGE = {"sigmoid": (0.0, 1.0), "hard_sigmoid": (0.0, 1.0), "softmax": (0.0, 1.0), "tanh": (-1.0, 1.0),
                "relu": (0.0, math.inf), "softplus": (0.0, math.inf)}


def _outside(r: ValueRange | None, low: float, high: float) -> bool:
    return bool(r) and (r.min < low - 1e-6 or r.max > high + 1e-6)


def _median(values: list[float]) -> float | None:
    ordered = sorted(v for v in values if math.isfinite(v))
    return ordered[len(ordered) // 2] if ordered else None


class ProbeEvidence:
    """What one model's run shows: the one object a rule's probe check reads."""

    def __init__(self, model: ModelEntry, run: ProbeRun, steps_total: int | None = None) -> None:
        self.model, self.run, self.steps_total = model, run, steps_total
        self.rows: tuple[Step, ...] = run.trajectory
        self.losses = [row.loss for row in self.rows]
        self.norms = [row.grad_norm for row in self.rows]
        self.targets, self.inputs = model.targets, model.inputs
        self.loss_name = model.losses[0].name if model.losses else None
        self.activation = model.outputs[0].activation if model.outputs else None
        self.broken = self.nonfinite_loss()

    # --- measurements ------------------------------------------------------------------------------
    def nonfinite_loss(self) -> str | None:
        for row in self.rows:
            if not math.isfinite(row.loss):
                return f"loss {fmt(row.loss)} at step {row.step}"
        for row in self.rows:
            if not math.isfinite(row.grad_norm):
                return f"gradient norm {fmt(row.grad_norm)} at step {row.step}"
        return None

    def negative_loss(self) -> tuple[int, float] | None:
        for row in self.rows:
            if math.isfinite(row.loss) and row.loss < -1e-6:
                return row.step, min(l for l in self.losses if math.isfinite(l))
        return None

    def growth(self) -> str | None:
        """The gradient norm against its median over the first steps (a dip is not a baseline)."""
        base = _median(self.norms[:BASELINE_STEPS])
        if base is None or base <= 0:
            return None
        best = None
        for step, norm in enumerate(self.norms):
            if math.isfinite(norm) and norm / base >= GROWTH and (best is None or norm > best[1]):
                best = (step, norm)
        if best is None:
            return None
        step, norm = best
        return (f"gradient norm grew {norm / base:.0f}x in {step} steps (median {fmt(base)} over steps 0-{BASELINE_STEPS - 1}"
                f" -> {fmt(norm)} at step {step}){self.mostly(step)}")

    def mostly(self, step: int) -> str:
        """`, mostly in dense_1 (9.8 of 10, up 412x)`: the layer with the largest gradient at `step`, its
        share of the global norm and its own growth against its early median (from the per-layer norms)."""
        row = self.rows[step]
        layer = row.top_layer
        if not layer:
            return ""
        if layer not in row.layer_norms:
            return f", largest in layer {layer}"
        value = row.layer_norms[layer]
        text = f", mostly in {layer} ({fmt(value)} of {fmt(self.norms[step])}"
        early = _median([r.layer_norms.get(layer, math.nan) for r in self.rows[:BASELINE_STEPS]])
        if early is not None and early > 0 and math.isfinite(value):
            text += f", up {value / early:.0f}x"
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
        # a collapse to exactly 0 (every unit saturated or dead) is the strongest collapse of all
        if peak > 0 and (tail_norm == 0 or peak / tail_norm >= COLLAPSE) and tail_loss >= best_before:
            saturated = self.rows[-1].saturated
            extra = f"; {saturated:.0%} of outputs saturated" if saturated else ""
            collapsed = "to 0" if tail_norm == 0 else f"{peak / tail_norm:.0f}x to {fmt(tail_norm)}"
            return (f"gradient norm spiked to {fmt(peak)} at step {peak_step}{self.mostly(peak_step)}, then collapsed {collapsed}"
                    f" while the loss stuck at {fmt(tail_loss)} (best {fmt(best_before)} before the spike){extra}")
        return None

    def plateau(self) -> str | None:
        """The loss jumped up from its best and stayed flat for the last 10 steps."""
        finite = [l for l in self.losses if math.isfinite(l)]
        if len(finite) < 20 or len(finite) != len(self.losses):
            return None
        tail = finite[-10:]
        best = min(finite[:-10])
        if max(tail) - min(tail) < 1e-4 and tail[-1] > best + 0.1 and max(self.norms[-10:]) < 1e-6:
            return f"loss jumped from {fmt(best)} to a flat {tail[-1]:.4f} with gradient norm ~0 for the last 10 steps"
        return None

    def first(self, test: Callable[[Step], bool]) -> Step | None:
        return next((row for row in self.rows if test(row)), None)

    def summary(self) -> str:
        if not self.rows:
            return "no step ran"
        finite = [l for l in self.losses if math.isfinite(l)]
        norms = [n for n in self.norms if math.isfinite(n)]
        text = f"{len(self.rows)} steps: loss {fmt(self.losses[0])} -> {fmt(self.losses[-1])}"
        if finite:
            text += f" (min {fmt(min(finite))})"
        if norms:
            text += f", gradient norm {fmt(min(norms))}..{fmt(max(norms))}"
        return text

    # --- what a check concludes ---------------------------------------------------------------------
    @staticmethod
    def confirmed(evidence: str) -> Judgement:
        return Judgement(CONFIRMED, evidence)

    @staticmethod
    def not_reproduced(evidence: str) -> Judgement:
        return Judgement(NOT_REPRODUCED, evidence)

    @staticmethod
    def inconclusive(evidence: str) -> Judgement:
        return Judgement(INCONCLUSIVE, evidence)

    fmt = staticmethod(fmt)  # a measured number in evidence text
    span_text = staticmethod(span_text)  # `[-1.3, 2.9]`

    # --- checks several rules share ----------------------------------------------------------------
    def generic(self) -> Judgement:
        """Inf/NaN or a gradient blow-up confirms; otherwise what the run did."""
        signal = self.broken or self.growth()
        if signal:
            return Judgement(CONFIRMED, signal)
        return Judgement(NOT_REPRODUCED, self.summary())

    def target_domain(self) -> Judgement:
        """Targets outside what the loss (or the output activation) can reach, or a negative loss."""
        low, high = UNIT_DOMAIN
        if self.loss_name not in (None, "custom") and "crossentropy" not in (self.loss_name or ""):
            low, high = OUTPUT_RANGE.get(self.activation, (-math.inf, math.inf))
        negative = self.negative_loss()
        name = (self.loss_name or "loss").replace("_", " ").replace("crossentropy", "CE")
        if _outside(self.targets, low, high):
            text = f"targets span {span_text(self.targets)}, outside [{fmt(low)}, {fmt(high)}]"
            if negative:
                text = f"{name} {fmt(negative[1])} < 0 (first negative at step {negative[0]}): {text}"
            elif self.broken:
                text = f"{self.broken}: {text}"
            return Judgement(CONFIRMED, text)
        if negative:
            return Judgement(CONFIRMED, f"{name} {fmt(negative[1])} < 0 at step {negative[0]}")
        if self.targets:
            return Judgement(NOT_REPRODUCED, f"targets span {span_text(self.targets)}, inside [{fmt(low)}, {fmt(high)}]; " + self.summary())
        return Judgement(INCONCLUSIVE, "no target values were captured")

    def clips(self) -> bool:
        """The model's optimizer clips its gradients (clipnorm, clipvalue, global_clipnorm)."""
        optimizer = self.model.optimizer
        return optimizer is not None and any(optimizer.params.get(name) is not None for name in CLIPPING_PARAMETERS)

    def instability(self, growth: bool = True) -> Judgement:
        """An optimizer too aggressive for the model: Inf/NaN, growth (unless `growth` is False), a collapse or
        a plateau, with the measured edge-of-stability margin."""
        signal = self.broken or (growth and self.growth()) or self.collapse() or self.plateau()
        margin = margin_text(self.run.stability)
        margin = f"; {margin}" if margin else ""
        if signal:
            return Judgement(CONFIRMED, signal + margin)
        return Judgement(NOT_REPRODUCED, self.summary() + margin)


def margin_text(stability: Stability | None) -> str:
    """`lr is 3.1x past the edge of stability (sharpness 412, edge 2(1+0.9)/0.01 = 380)`, or `within the edge
    of stability (margin 0.4x: ...)`, or why it was not estimated; "" when it was not asked for."""
    if not stability:
        return ""
    if stability.ratio is None:
        return stability.note or ""
    when = "at the start" if stability.when == "start" else "after the run"
    if stability.kind == "adam":
        measured = (f"preconditioned sharpness lr·λmax(diag(1/(√v̂+ε))·H) = {fmt(stability.compared)} {when}, "
                    f"Adam edge {stability.formula} = {fmt(stability.edge)}")
    else:
        measured = f"sharpness {fmt(stability.sharpness)} {when}, edge {stability.formula} = {fmt(stability.edge)}"
    ratio = stability.ratio
    if ratio > 1:
        return f"lr is {ratio:.2g}x past the edge of stability ({measured})"
    return f"lr is within the edge of stability (margin {ratio:.2g}x: {measured})"


def probed(code: str) -> bool:
    """Whether a short training run can speak to this rule's findings (the rule has a probe check)."""
    rule = rule_by_code(code)
    return rule is not None and rule.probe_check() is not None


def needs_sharpness(code: str) -> bool:
    rule = rule_by_code(code)
    return rule is not None and rule.probe_sharpness


def judge(code: str, model: ModelEntry, run: ProbeRun | None, steps_total: int | None = None) -> Judgement | None:
    """The rule's verdict from one model's run (None: it was never trained); None for rules a run can't speak to."""
    rule = rule_by_code(code)
    check = rule.probe_check() if rule is not None else None
    if check is None:
        return None
    if run is None or run.error:
        why = (run.error if run is not None else None) or "the model was not trained"
        return Judgement(INCONCLUSIVE, f"not probed: {why}")
    if not run.trajectory and not run.failed:
        return Judgement(INCONCLUSIVE, "no training step ran within the time budget")
    found = check(ProbeEvidence(model, run, steps_total))
    if run.failed:  # a failed run can show the harm, never its absence
        failure = f"training failed at step {run.failed.step}: {run.failed.error}"
        if found.verdict == CONFIRMED:
            return Judgement(CONFIRMED, f"{found.evidence}; {failure}")
        return Judgement(INCONCLUSIVE, failure)
    return found



def verdict(code: str, model: ModelEntry | Mapping[str, Any], result: ProbeRun | Mapping[str, Any] | None = None,
            steps_total: int | None = None) -> ProbeVerdict | None:
    """`judge` for the child's JSON as read (a model entry and its probe result), as a ProbeVerdict."""
    entry = model if isinstance(model, ModelEntry) else ModelEntry.from_json({**model, "probe": None})
    run = result if isinstance(result, ProbeRun) or result is None else ProbeRun.from_json(result)
    found = judge(code, entry, run, steps_total)
    return None if found is None else ProbeVerdict(found.verdict, found.evidence)
