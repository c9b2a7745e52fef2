"""Wall time of `kerlint check` as a user runs it: a fresh interpreter per run, interpreter start included.

    python bench/bench_check.py [FILE] [--runs N]

Prints the median, min and max over N runs, the same for a bare `python -c pass` and for
`python -c "import libcst"` (the floor any libcst-based linter pays), and the ratios between them.
Also times the in-process engine on FILE and on a synthetic 500-line Keras file (the editor's case).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_FILE = ROOT / "fixtures" / "seeds" / "seed_003_relu_categorical.py"


def wall_times(command: list[str], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - start)
    return times


def in_process_times(source: bytes, runs: int) -> list[float]:
    sys.path.insert(0, str(ROOT))
    from kerlint.engine import LintSettings, lint_bytes

    settings = LintSettings.all_rules()
    lint_bytes(source, "warmup.py", settings)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        lint_bytes(source, "bench.py", settings)
        times.append(time.perf_counter() - start)
    return times


def synthetic_file(lines: int = 500) -> bytes:
    """A plausible Keras script of about `lines` lines: models, compiles, fits and custom losses."""
    block = '''
def build_{i}(units, activation="relu"):
    inputs = keras.Input((32,))
    x = keras.layers.Dense(units, activation=activation)(inputs)
    x = keras.layers.Dropout(0.2)(x)
    outputs = keras.layers.Dense(10, activation="softmax")(x)
    return keras.Model(inputs, outputs)


def dice_{i}(y_true, y_pred, smooth=1.0):
    intersection = keras.ops.sum(y_true * y_pred)
    return 1 - (2 * intersection + smooth) / (keras.ops.sum(y_true) + keras.ops.sum(y_pred) + smooth)


model_{i} = build_{i}(64)
model_{i}.compile(optimizer=keras.optimizers.SGD(learning_rate=0.01, momentum=0.9), loss="categorical_crossentropy", metrics=["accuracy"])
model_{i}.fit(x, y, epochs=10, validation_split=0.1, callbacks=[keras.callbacks.EarlyStopping(monitor="val_acc")])
'''
    text = "import keras\nimport numpy as np\n\nx = np.zeros((8, 32))\ny = np.zeros((8, 10))\n"
    i = 0
    while text.count("\n") < lines:
        text += block.format(i=i)
        i += 1
    return text.encode()


def describe(label: str, times: list[float]) -> str:
    return (f"{label:<44} median {statistics.median(times) * 1000:7.1f} ms   "
            f"min {min(times) * 1000:7.1f}   max {max(times) * 1000:7.1f}   (n={len(times)})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", default=str(DEFAULT_FILE))
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    target = Path(args.file)

    bare = wall_times([sys.executable, "-c", "pass"], args.runs)
    libcst = wall_times([sys.executable, "-c", "import libcst"], args.runs)
    check = wall_times([sys.executable, "-m", "kerlint", "check", str(target)], args.runs)
    print(f"python {sys.version.split()[0]} · {target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}")
    print(describe("python -c pass", bare))
    print(describe("python -c 'import libcst'", libcst))
    print(describe("kerlint check FILE (whole process)", check))
    print(f"kerlint check / import libcst: {statistics.median(check) / statistics.median(libcst):.2f}x")

    print(describe("engine in-process, FILE", in_process_times(target.read_bytes(), args.runs)))
    with tempfile.TemporaryDirectory() as folder:
        big = synthetic_file()
        Path(folder, "big.py").write_bytes(big)
        lines = big.count(b"\n")
        print(describe(f"engine in-process, synthetic {lines}-line file", in_process_times(big, args.runs)))


if __name__ == "__main__":
    main()
