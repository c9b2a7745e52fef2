"""The static path never imports TensorFlow or Keras (or any other framework), and never runs user code."""

from __future__ import annotations

import os
import subprocess
import sys

from clirun import REPO, write

HEAVY = ("tensorflow", "keras", "torch", "jax")

SAMPLE = """\
import tensorflow as tf
from tensorflow import keras
from keras.layers import Dense
import keras.backend as K
open("SIDE_EFFECT", "w").write("user code ran")

model = keras.Sequential([Dense(10, activation="softmax")])
model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1, momentum=0.9), loss="categorical_crossentropy")
model.fit(x, y, epochs=5)
"""


def test_check_imports_no_framework_and_runs_no_user_code(tmp_path):
    write(tmp_path, {"train.py": SAMPLE})
    targets = [str(tmp_path / "train.py")]
    if (REPO / "fixtures").is_dir():
        targets.append(str(REPO / "fixtures"))
    script = (
        "import sys\n"
        "from kerlint.cli import main\n"
        f"code = main(['check', '--exit-zero', *{targets!r}])\n"
        f"loaded = sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r}))\n"
        "print('LOADED', loaded, file=sys.stderr)\n"
        "sys.exit(code)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "LOADED []" in done.stderr.splitlines()
    assert not (tmp_path / "SIDE_EFFECT").exists()
