"""Parent side: `--probe-report DIR` files. (Verdicts render themselves: kerlint.verdict; the names below
stay for callers of the probe package.)"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

from kerlint.verdict import ProbeVerdict, sparkline

__all__ = ["details_text", "json_probe", "sparkline", "verdict_text", "write_reports"]


def verdict_text(probe: Any) -> str:
    """`probe: confirmed — loss NaN at step 40` (the concise and full formats)."""
    return ProbeVerdict.coerce(probe).text()


def details_text(probe: Any) -> str:
    return ProbeVerdict.coerce(probe).details()


def json_probe(probe: Any) -> dict:
    """The `probe` object of the JSON format: NaN/Inf gradient norms become null (strict JSON)."""
    return ProbeVerdict.coerce(probe).to_json()


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
