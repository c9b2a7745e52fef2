"""A probe verdict on one finding, as the reporters render it: typed, and free of the probe machinery.

The probe (kerlint.probe) produces these; every reporter, the LSP and the JSON/SARIF formats read them
from `Diagnostic.extra["probe"]`. For the JSON boundary a verdict also reads like the mapping it is
written as (`verdict["evidence"]`, `"steps" in verdict`), and `ProbeVerdict.coerce` accepts that mapping.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Iterator, Literal

CONFIRMED, NOT_REPRODUCED, INCONCLUSIVE = "confirmed", "not reproduced", "inconclusive"
VerdictName = Literal["confirmed", "not reproduced", "inconclusive"]

BARS = "▁▂▃▄▅▆▇█"
SPARK_WIDTH = 40


def fmt(value: float) -> str:
    """A measured number in evidence: 3 significant digits, NaN/inf by name."""
    if not math.isfinite(value):
        return "NaN" if math.isnan(value) else str(value)
    return f"{value:.3g}" if abs(value) < 1e4 else f"{value:.2e}"


def span_text(measured: Any) -> str:
    """`[-1.3, 2.9]` for anything with .min and .max (a probe's ValueRange); `?` for nothing."""
    return f"[{fmt(measured.min)}, {fmt(measured.max)}]" if measured else "?"


@dataclass(frozen=True)
class Judgement:
    """What a rule's probe check concludes from a run: the verdict and its evidence, in numbers."""

    verdict: VerdictName
    evidence: str


@dataclass(frozen=True, eq=False)  # equality is the mapping's: a verdict equals its JSON form
class ProbeVerdict(Mapping):
    verdict: VerdictName
    evidence: str
    steps: int | None = None
    seconds: float | None = None
    device: str | None = None
    backend: str | None = None  # the Keras backend that trained: tensorflow, jax, torch
    grad_norms: tuple[float, ...] | None = None  # per step, NaN/Inf kept (the sparkline marks them)
    notes: tuple[str, ...] | None = None  # the probe's notes on the file (why it could not run, ...)
    isolation: Mapping[str, Any] | None = None  # the sandbox layers: {"applied": [...], "not_applied": {name: why}}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "ProbeVerdict":
        evidence = data.get("evidence")
        if isinstance(evidence, list):
            evidence = "; ".join(str(item) for item in evidence)
        norms = data.get("grad_norms")
        notes = data.get("notes")
        return cls(
            verdict=data.get("verdict"), evidence=str(evidence) if evidence is not None else "",
            steps=data.get("steps"), seconds=data.get("seconds"), device=data.get("device"), backend=data.get("backend"),
            grad_norms=tuple(math.nan if v is None else float(v) for v in norms) if norms is not None else None,
            notes=tuple(notes) if notes is not None else None, isolation=data.get("isolation"),
        )

    @classmethod
    def coerce(cls, value: Any) -> "ProbeVerdict | None":
        if isinstance(value, ProbeVerdict) or value is None:
            return value
        return cls.from_json(value) if isinstance(value, Mapping) and value else None

    def to_json(self) -> dict:
        """The `probe` object of the JSON and SARIF formats: NaN/Inf gradient norms become null (strict JSON)."""
        out = {key: self[key] for key in ("verdict", "evidence", "steps", "seconds", "backend", "device", "notes", "isolation")
               if key in self}
        if "notes" in out:
            out["notes"] = list(out["notes"])
        out["grad_norms"] = [v if math.isfinite(v) else None for v in self.grad_norms or ()]
        return out

    def text(self) -> str:
        """`probe: confirmed — loss NaN at step 40` (the concise and full formats)."""
        return f"probe: {self.verdict} — {self.evidence}"

    def details(self) -> str:
        """`120 steps, 3.1 s on CPU`; "" when no step ran."""
        if not self.steps:
            return ""
        backend = f" ({self.backend})" if self.backend else ""
        return f"{self.steps} steps, {self.seconds or 0.0:.1f} s on {self.device}{backend}"

    # The mapping view: the fields that are set, under their JSON names.
    def __getitem__(self, key: str) -> Any:
        if key not in self._present():
            raise KeyError(key)
        return getattr(self, key)

    def __iter__(self) -> Iterator[str]:
        return iter(self._present())

    def __len__(self) -> int:
        return len(self._present())

    def _present(self) -> list[str]:
        keys = ["verdict", "evidence"]
        if self.steps is not None:  # a verdict attached to a finding: where and how long it ran, device possibly unknown
            keys += ["steps", "seconds", "device"]
        return keys + [key for key in ("backend", "grad_norms", "notes", "isolation") if getattr(self, key) is not None]


def sparkline(values: list[float] | tuple[float, ...], width: int = SPARK_WIDTH) -> str:
    """log-scaled bars; `×` marks a NaN/Inf step."""
    values = list(values)
    if not values:
        return ""
    if len(values) > width:  # keep the maximum of each bucket: a spike must stay visible
        size = len(values) / width
        values = [_bucket(values[int(i * size): max(int((i + 1) * size), int(i * size) + 1)]) for i in range(width)]
    finite = [math.log10(v) for v in values if math.isfinite(v) and v > 0]
    low, high = (min(finite), max(finite)) if finite else (0.0, 0.0)
    out = []
    for value in values:
        if not math.isfinite(value):
            out.append("×")
        elif value <= 0:
            out.append(BARS[0])
        else:
            level = 0 if high == low else (math.log10(value) - low) / (high - low)
            out.append(BARS[min(int(level * len(BARS)), len(BARS) - 1)])
    return "".join(out)


def _bucket(values: list[float]) -> float:
    if any(not math.isfinite(v) for v in values):
        return math.nan
    return max(values)
