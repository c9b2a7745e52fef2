"""The probe child's JSON as typed records, converted in this one place (both ways).

The child writes plain JSON (kerlint.probe.inspector / train / child build it); the parent reads it back
with `ModelEntry.from_json`, which checks the shape of every field it types and raises `ProbeDataError`
on anything else. Keys these records do not type are kept (`extra`) and written back by `to_json`, so a
report file loses nothing. Pure Python: no framework is imported here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Mapping


class ProbeDataError(ValueError):
    """The child's result does not have the expected shape."""


_NUMBER = (int, float)


def _get(data: Any, key: str, kinds: tuple[type, ...], where: str, required: bool = False, default: Any = None) -> Any:
    if not isinstance(data, Mapping):
        raise ProbeDataError(f"{where}: expected an object, got {type(data).__name__}")
    if key not in data or data[key] is None:
        if required:
            raise ProbeDataError(f"{where}: missing {key!r}")
        return default
    value = data[key]
    if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
        names = "/".join(kind.__name__ for kind in kinds)
        raise ProbeDataError(f"{where}.{key}: expected {names}, got {type(value).__name__} {value!r:.60}")
    return value


def _measure(data: Any, key: str, where: str, required: bool = False) -> float | None:
    """A measured number; the child writes NaN/Inf as their names ("nan", "inf", "-inf")."""
    value = _get(data, key, (int, float, str), where, required)
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        raise ProbeDataError(f"{where}.{key}: expected a number, got {value!r:.60}") from None


def _items(data: Any, key: str, where: str) -> list:
    return _get(data, key, (list,), where, default=[])


def _extra(data: Mapping, typed: tuple[str, ...]) -> dict:
    return {key: value for key, value in data.items() if key not in typed}


def _json_number(value: float | None) -> float | str | None:
    return repr(value) if isinstance(value, float) and not math.isfinite(value) else value


@dataclass(frozen=True)
class ValueRange:
    """What the fed inputs or targets span."""

    min: float
    max: float
    mean: float | None = None
    std: float | None = None
    extra: dict = field(default_factory=dict, compare=False, repr=False)

    KEYS = ("min", "max", "mean", "std")

    @classmethod
    def from_json(cls, data: Any, where: str) -> "ValueRange":
        return cls(_measure(data, "min", where, True), _measure(data, "max", where, True), _measure(data, "mean", where),
                   _measure(data, "std", where), _extra(data, cls.KEYS))

    def to_json(self) -> dict:
        return {**self.extra, "min": self.min, "max": self.max, "mean": self.mean, "std": self.std}


@dataclass(frozen=True)
class Step:
    """One training step of the probe."""

    step: int
    loss: float
    grad_norm: float
    layer_norms: dict[str, float] = field(default_factory=dict)
    top_layer: str | None = None
    zero_sum: float | None = None  # share of samples whose outputs sum to 0
    pred_spread: float | None = None  # largest per-output std over the batch
    pred_max: float | None = None
    saturated: float | None = None  # share of outputs within SATURATION of a bound
    extra: dict = field(default_factory=dict, compare=False, repr=False)

    KEYS = ("step", "loss", "grad_norm", "layer_norms", "top_layer", "zero_sum", "pred_spread", "pred_max", "saturated")

    @classmethod
    def from_json(cls, data: Any, where: str) -> "Step":
        norms = _get(data, "layer_norms", (dict,), where, default={})
        return cls(
            step=_get(data, "step", (int,), where, True), loss=_measure(data, "loss", where, True),
            grad_norm=_measure(data, "grad_norm", where, True),
            layer_norms={str(k): _measure(norms, k, f"{where}.layer_norms", True) for k in norms},
            top_layer=_get(data, "top_layer", (str,), where), zero_sum=_measure(data, "zero_sum", where),
            pred_spread=_measure(data, "pred_spread", where), pred_max=_measure(data, "pred_max", where),
            saturated=_measure(data, "saturated", where), extra=_extra(data, cls.KEYS),
        )

    def to_json(self) -> dict:
        out = {**self.extra, "step": self.step, "loss": _json_number(self.loss), "grad_norm": _json_number(self.grad_norm)}
        if self.layer_norms:
            out["layer_norms"] = {k: _json_number(v) for k, v in self.layer_norms.items()}
        for key in ("top_layer", "zero_sum", "pred_spread", "pred_max", "saturated"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        return out


@dataclass(frozen=True)
class AdamMoments:
    epsilon: float
    median_sqrt_v: float
    frac_sqrt_v_below_10eps: float
    extra: dict = field(default_factory=dict, compare=False, repr=False)

    KEYS = ("epsilon", "median_sqrt_v", "frac_sqrt_v_below_10eps")

    @classmethod
    def from_json(cls, data: Any, where: str) -> "AdamMoments":
        return cls(*(_measure(data, key, where, True) for key in cls.KEYS), extra=_extra(data, cls.KEYS))

    def to_json(self) -> dict:
        return {**self.extra, **{key: getattr(self, key) for key in self.KEYS}}


@dataclass(frozen=True)
class StepFailure:
    """The training step that raised, ending the run."""

    step: int
    error: str

    @classmethod
    def from_json(cls, data: Any, where: str) -> "StepFailure":
        return cls(_get(data, "step", (int,), where, True), _get(data, "error", (str,), where, True))

    def to_json(self) -> dict:
        return {"step": self.step, "error": self.error}


@dataclass(frozen=True)
class Stability:
    """The edge-of-stability estimate: either a `note` saying why there is none, or the measured ratio."""

    note: str | None = None
    ratio: float | None = None  # the compared sharpness over the edge; > 1: past it
    kind: str | None = None  # "adam", or a momentum method
    when: str | None = None  # "start" or "end" of the run
    sharpness: float | None = None
    compared: float | None = None
    edge: float | None = None
    formula: str | None = None
    extra: dict = field(default_factory=dict, compare=False, repr=False)

    KEYS = ("note", "ratio", "kind", "when", "sharpness", "compared", "edge", "formula")

    @classmethod
    def from_json(cls, data: Any, where: str) -> "Stability":
        text = {key: _get(data, key, (str,), where) for key in ("note", "kind", "when", "formula")}
        numbers = {key: _measure(data, key, where) for key in ("ratio", "sharpness", "compared", "edge")}
        return cls(**text, **numbers, extra=_extra(data, cls.KEYS))

    def to_json(self) -> dict:
        return {**self.extra, **{key: getattr(self, key) for key in self.KEYS if getattr(self, key) is not None}}


@dataclass(frozen=True)
class ProbeRun:
    """One model's short training run, or why there was none (`error`, `skipped`)."""

    trajectory: tuple[Step, ...] = ()
    seconds: float = 0.0
    backend: str | None = None  # the Keras backend that trained: tensorflow, jax, torch
    device: str | None = None
    error: str | None = None
    skipped: str | None = None
    adam: AdamMoments | None = None
    stability: Stability | None = None
    ran: bool = False  # training started (the result has a trajectory, possibly empty)
    failed: StepFailure | None = None  # a step raised: the run ended there
    extra: dict = field(default_factory=dict, compare=False, repr=False)

    KEYS = ("trajectory", "seconds", "backend", "device", "error", "skipped", "adam", "stability", "failed")

    @classmethod
    def from_json(cls, data: Any, where: str = "probe") -> "ProbeRun":
        adam, stability = _get(data, "adam", (dict,), where), _get(data, "stability", (dict,), where)
        failed = _get(data, "failed", (dict,), where)
        return cls(
            trajectory=tuple(Step.from_json(row, f"{where}.trajectory[{i}]") for i, row in enumerate(_items(data, "trajectory", where))),
            seconds=float(_get(data, "seconds", _NUMBER, where, default=0.0)), backend=_get(data, "backend", (str,), where),
            device=_get(data, "device", (str,), where),
            error=_get(data, "error", (str,), where), skipped=_get(data, "skipped", (str,), where),
            adam=AdamMoments.from_json(adam, f"{where}.adam") if adam else None,
            stability=Stability.from_json(stability, f"{where}.stability") if stability else None,
            ran="trajectory" in data, failed=StepFailure.from_json(failed, f"{where}.failed") if failed else None,
            extra=_extra(data, cls.KEYS),
        )

    @property
    def attempted(self) -> bool:
        """Training ran, or failed saying why (not skipped): a verdict can speak for its model."""
        return self.ran or self.error is not None

    def to_json(self) -> dict:
        out = dict(self.extra)
        if self.skipped is not None:
            out["skipped"] = self.skipped
        if self.error is not None:
            out["error"] = self.error
        if self.ran:
            out.update({"trajectory": [row.to_json() for row in self.trajectory], "seconds": self.seconds,
                        "backend": self.backend, "device": self.device,
                        "adam": self.adam.to_json() if self.adam else None,
                        "stability": self.stability.to_json() if self.stability else None})
            if self.failed:
                out["failed"] = self.failed.to_json()
        return out


@dataclass(frozen=True)
class OutputEntry:
    activation: str | None
    layer: str
    units: int | None = None
    line: int | None = None
    extra: dict = field(default_factory=dict, compare=False, repr=False)

    KEYS = ("activation", "layer", "units", "line")

    @classmethod
    def from_json(cls, data: Any, where: str) -> "OutputEntry":
        return cls(_get(data, "activation", (str,), where), _get(data, "layer", (str,), where, default=""),
                   _get(data, "units", (int,), where), _get(data, "line", (int,), where), _extra(data, cls.KEYS))

    def to_json(self) -> dict:
        return {**self.extra, "activation": self.activation, "units": self.units, "layer": self.layer, "line": self.line}


@dataclass(frozen=True)
class LossEntry:
    name: str | None
    text: str
    from_logits: bool | None = None
    function: str | None = None
    extra: dict = field(default_factory=dict, compare=False, repr=False)

    KEYS = ("name", "text", "from_logits", "function")

    @classmethod
    def from_json(cls, data: Any, where: str) -> "LossEntry":
        return cls(_get(data, "name", (str,), where), _get(data, "text", (str,), where, default=""),
                   _get(data, "from_logits", (bool,), where), _get(data, "function", (str,), where), _extra(data, cls.KEYS))

    def to_json(self) -> dict:
        return {**self.extra, "name": self.name, "text": self.text, "from_logits": self.from_logits,
                **({"function": self.function} if self.function is not None else {})}


@dataclass(frozen=True)
class OptimizerEntry:
    name: str
    text: str
    params: dict[str, float | bool | None] = field(default_factory=dict)
    given: tuple[str, ...] = ()
    line: int | None = None
    extra: dict = field(default_factory=dict, compare=False, repr=False)

    KEYS = ("name", "text", "params", "given", "line")

    @classmethod
    def from_json(cls, data: Any, where: str) -> "OptimizerEntry":
        params = _get(data, "params", (dict,), where, default={})
        for key, value in params.items():
            if value is not None and not isinstance(value, _NUMBER):
                raise ProbeDataError(f"{where}.params.{key}: expected a number, got {value!r:.60}")
        given = _get(data, "given", (list,), where, default=[])
        if not all(isinstance(name, str) for name in given):
            raise ProbeDataError(f"{where}.given: expected names")
        name = _get(data, "name", (str,), where, True)
        return cls(name, _get(data, "text", (str,), where, default=name), dict(params),
                   tuple(given), _get(data, "line", (int,), where), _extra(data, cls.KEYS))

    def to_json(self) -> dict:
        return {**self.extra, "name": self.name, "text": self.text, "params": dict(self.params), "given": list(self.given),
                "line": self.line}


@dataclass(frozen=True)
class RunEntry:
    """One captured fit()/fit_generator()/train_on_batch() call."""

    method: str
    line: int | None = None
    epochs: int | None = None
    steps_per_epoch: int | None = None
    extra: dict = field(default_factory=dict, compare=False, repr=False)

    KEYS = ("method", "line", "epochs", "steps_per_epoch")

    @classmethod
    def from_json(cls, data: Any, where: str) -> "RunEntry":
        # epochs/steps may be anything the script passed (a float, a tensor's repr): only ints count
        epochs, steps = (data.get(key) if isinstance(data, Mapping) else None for key in ("epochs", "steps_per_epoch"))
        return cls(_get(data, "method", (str,), where, default="fit"), _get(data, "line", (int,), where),
                   epochs if isinstance(epochs, int) and not isinstance(epochs, bool) else None,
                   steps if isinstance(steps, int) and not isinstance(steps, bool) else None, _extra(data, cls.KEYS))

    def to_json(self) -> dict:
        return {**self.extra, "method": self.method, "line": self.line, "epochs": self.epochs, "steps_per_epoch": self.steps_per_epoch}


@dataclass(frozen=True)
class FindingEntry:
    """A rule's finding on the built model (the child runs the static rules over its facts)."""

    code: str
    line: int
    col: int
    message: str
    fix: str | None = None
    related: tuple[tuple[int, str], ...] = ()  # (line, message)

    @classmethod
    def from_json(cls, data: Any, where: str) -> "FindingEntry":
        related = tuple((_get(r, "line", (int,), f"{where}.related", True), _get(r, "message", (str,), f"{where}.related", True))
                        for r in _items(data, "related", where))
        return cls(_get(data, "code", (str,), where, True), _get(data, "line", (int,), where, True),
                   _get(data, "col", (int,), where, default=0), _get(data, "message", (str,), where, True),
                   _get(data, "fix", (str,), where), related)

    def to_json(self) -> dict:
        return {"code": self.code, "line": self.line, "col": self.col, "message": self.message, "fix": self.fix,
                "related": [{"line": line, "message": message} for line, message in self.related]}


@dataclass(frozen=True)
class ModelEntry:
    """One compiled model the child inspected (and maybe probed)."""

    class_name: str
    line: int | None = None
    compile_line: int | None = None
    outputs: tuple[OutputEntry, ...] | None = None  # None: could not be resolved
    losses: tuple[LossEntry, ...] = ()
    optimizer: OptimizerEntry | None = None
    scales_inputs: bool | None = None
    runs: tuple[RunEntry, ...] = ()
    inputs: ValueRange | None = None  # what was fed to training (captured or synthetic)
    targets: ValueRange | None = None
    findings: tuple[FindingEntry, ...] = ()
    probe: ProbeRun | None = None
    extra: dict = field(default_factory=dict, compare=False, repr=False)

    KEYS = ("class", "line", "compile_line", "outputs", "losses", "optimizer", "scales_inputs", "runs", "findings", "probe")

    @classmethod
    def from_json(cls, data: Any, where: str = "model") -> "ModelEntry":
        outputs = _get(data, "outputs", (list,), where)
        optimizer = _get(data, "optimizer", (dict,), where)
        probe = _get(data, "probe", (dict,), where)
        measured = _get(data, "data", (dict,), where, default={})
        inputs, targets = _get(measured, "inputs", (dict,), f"{where}.data"), _get(measured, "targets", (dict,), f"{where}.data")
        return cls(
            class_name=_get(data, "class", (str,), where, default="Model"),
            line=_get(data, "line", (int,), where), compile_line=_get(data, "compile_line", (int,), where),
            outputs=None if outputs is None else tuple(OutputEntry.from_json(o, f"{where}.outputs[{i}]") for i, o in enumerate(outputs)),
            losses=tuple(LossEntry.from_json(o, f"{where}.losses[{i}]") for i, o in enumerate(_items(data, "losses", where))),
            optimizer=OptimizerEntry.from_json(optimizer, f"{where}.optimizer") if optimizer else None,
            scales_inputs=_get(data, "scales_inputs", (bool,), where),
            runs=tuple(RunEntry.from_json(o, f"{where}.runs[{i}]") for i, o in enumerate(_items(data, "runs", where))),
            inputs=ValueRange.from_json(inputs, f"{where}.data.inputs") if inputs else None,
            targets=ValueRange.from_json(targets, f"{where}.data.targets") if targets else None,
            findings=tuple(FindingEntry.from_json(o, f"{where}.findings[{i}]") for i, o in enumerate(_items(data, "findings", where))),
            probe=ProbeRun.from_json(probe, f"{where}.probe") if probe is not None else None,
            extra=_extra(data, cls.KEYS),
        )

    def to_json(self) -> dict:
        out = dict(self.extra)
        out.update({"class": self.class_name, "line": self.line, "compile_line": self.compile_line,
                    "outputs": None if self.outputs is None else [o.to_json() for o in self.outputs],
                    "losses": [loss.to_json() for loss in self.losses],
                    "optimizer": self.optimizer.to_json() if self.optimizer else None,
                    "scales_inputs": self.scales_inputs, "runs": [run.to_json() for run in self.runs],
                    "findings": [finding.to_json() for finding in self.findings]})
        data = dict(out.get("data") or {})
        data.update({"inputs": self.inputs.to_json() if self.inputs else None,
                     "targets": self.targets.to_json() if self.targets else None})
        out["data"] = data
        if self.probe is not None:
            out["probe"] = self.probe.to_json()
        return out

    @property
    def lines(self) -> set[int]:
        """The user-file lines this model was built, compiled, trained and reported at."""
        lines = {self.line, self.compile_line, self.optimizer.line if self.optimizer else None}
        lines |= {o.line for o in self.outputs or ()}
        lines |= {r.line for r in self.runs}
        lines |= {f.line for f in self.findings}
        return {line for line in lines if line}

    @property
    def steps_total(self) -> int | None:
        """The most optimizer steps one captured training call asks for (epochs × steps per epoch)."""
        totals = [r.epochs * r.steps_per_epoch for r in self.runs if r.epochs is not None and r.steps_per_epoch is not None]
        return max(totals) if totals else None


def models_from_json(document: Any) -> list[ModelEntry]:
    """The `models` of a child's result document, typed; ProbeDataError when they are malformed."""
    if document is None:
        return []
    return [ModelEntry.from_json(entry, f"models[{i}]") for i, entry in enumerate(_items(document, "models", "result"))]


def read_models(document: Any, notes: list[str]) -> tuple[list[ModelEntry], list[str]]:
    """The typed models and the notes to show; a malformed result is no models and a note saying why."""
    try:
        return models_from_json(document), notes
    except ProbeDataError as error:
        return [], [*notes, f"the probe's result was malformed and is ignored: {error}"]
