"""Parent side: the gradient-norm sparkline and `--probe-report DIR` files."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

from typing import Any

BARS = "▁▂▃▄▅▆▇█"
WIDTH = 40


def sparkline(values: list[float], width: int = WIDTH) -> str:
    """log-scaled bars; `×` marks a NaN/Inf step."""
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


def verdict_text(probe: dict) -> str:
    """`probe: confirmed — loss NaN at step 40` (the concise and full formats)."""
    return f"probe: {probe['verdict']} — {probe['evidence']}"


def details_text(probe: dict) -> str:
    steps, seconds, device = probe.get("steps"), probe.get("seconds"), probe.get("device")
    if not steps:
        return ""
    return f"{steps} steps, {seconds:.1f} s on {device}"


def json_probe(probe: dict) -> dict:
    """The `probe` object of the JSON format: NaN/Inf gradient norms become null (strict JSON)."""
    keys = ("verdict", "evidence", "steps", "seconds", "device", "notes", "isolation")
    out = {key: probe[key] for key in keys if key in probe}
    out["grad_norms"] = [v if math.isfinite(v) else None for v in probe.get("grad_norms", [])]
    return out


def _bucket(values: list[float]) -> float:
    if any(not math.isfinite(v) for v in values):
        return math.nan
    return max(values)


def _name(shown: str, index: int) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", shown.removesuffix(".py")).strip("_") + f".model{index}"


def write_reports(directory: Path, probes: list[Any]) -> list[Path]:
    """One JSON per probed model (facts, data ranges, per-step trajectory); a PNG when matplotlib imports."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for probe in probes:
        for index, model in enumerate(probe.models, start=1):
            target = directory / (_name(probe.shown, index) + ".json")
            document = _strict({"file": probe.shown, "notes": probe.notes, "model": model})
            target.write_text(json.dumps(document, indent=1, default=str, allow_nan=False), encoding="utf-8")
            written.append(target)
            trajectory = (model.get("probe") or {}).get("trajectory")
            if trajectory:
                png = _plot(target.with_suffix(".png"), trajectory, probe.shown)
                if png:
                    written.append(png)
    return written


def _strict(value: Any) -> Any:
    """NaN/Inf floats -> their names as strings ("nan", "inf"), so the file is standard JSON."""
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)
    if isinstance(value, dict):
        return {key: _strict(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_strict(item) for item in value]
    return value


def _plot(path: Path, trajectory: list[dict], title: str) -> Path | None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except Exception:  # noqa: BLE001 - matplotlib is optional
        return None
    steps = [row["step"] for row in trajectory]
    figure, (top, bottom) = plt.subplots(2, 1, sharex=True, figsize=(7, 5))
    top.plot(steps, [float(row["loss"]) for row in trajectory])
    top.set_ylabel("loss")
    bottom.semilogy(steps, [float(row["grad_norm"]) for row in trajectory])
    bottom.set_ylabel("gradient norm")
    bottom.set_xlabel("step")
    figure.suptitle(title)
    figure.savefig(path)
    plt.close(figure)
    return path
