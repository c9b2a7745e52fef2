"""What the probe is asked to do: limits, budget, which models, where reports go."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

DEFAULT_TIMEOUT_S = 60.0
DEFAULT_MEMORY_BYTES = 4 * 1024**3
DEFAULT_STEPS = 120
DEFAULT_TRAIN_SECONDS = 8.0  # the training part's own budget within the timeout
MAX_CAPTURED_OUTPUT = 16_384  # bytes of a script's stdout/stderr kept


@dataclass(frozen=True)
class ProbeOptions:
    all_models: bool = False  # probe every compiled model, not only those with a flagged risk
    timeout_s: float = DEFAULT_TIMEOUT_S  # wall time per file, child included
    memory_bytes: int = DEFAULT_MEMORY_BYTES  # RLIMIT_DATA of the child (confine.limits)
    steps: int = DEFAULT_STEPS  # training steps per probed model
    train_seconds: float = DEFAULT_TRAIN_SECONDS  # ...or fewer, when this much training time is spent
    report_dir: Path | None = None  # --probe-report: per-model trajectories (JSON, PNG if matplotlib)
    model: str | None = None  # --model module:factory (a function returning a compiled model)
    data: str | None = None  # --data module:function (returning (x, y) batches)
    jobs: int = 1  # files probed at once
    sharpness: bool = False  # estimate the largest Hessian eigenvalue (Hessian-vector products)
    isolation: str = "auto"  # "strict": refuse to run where a strong confinement layer is missing
    passed_environment: tuple[str, ...] = ()  # --probe-env NAME: variables the child may see besides the allow-list
