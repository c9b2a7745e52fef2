"""`kerlint check --probe` on a notebook: its code cells (magics skipped) run as one script, in the
sandboxed child, and the verdict lands on the finding at its cell. Needs TensorFlow and Keras."""

from __future__ import annotations

import ast
import importlib.util
import json
from pathlib import Path

import pytest
from clirun import kerlint, write

from kerlint.notebook import join_cells
from kerlint.probe.notebooks import with_directory_on_path
from kerlint.probe.verdicts import CONFIRMED

XRAY_DATA = '''import keras
import numpy as np

rng = np.random.default_rng(0)


def make_images(count, size=16):
    labels = rng.integers(0, 2, size=count)
    images = rng.uniform(0.0, 0.6, size=(count, size, size, 3)).astype("float32")
    rows, cols = np.mgrid[:size, :size]
    for i in np.flatnonzero(labels):
        cy, cx = rng.uniform(4, size - 4, size=2)
        images[i][(rows - cy) ** 2 + (cols - cx) ** 2 < 9] += 0.4  # an opacity
    return images, keras.utils.to_categorical(labels, 2)
'''

# Seed 003 as a notebook: a frozen convolutional base, a relu head, categorical crossentropy, compiled in
# a later cell; the data comes from a module next to the notebook, as course notebooks often do it.
CELLS = [
    ("markdown", "# Chest X-ray head\nA frozen convolutional base and a new head."),
    ("code", "%pip install -q keras\n!nvidia-smi\nimport keras\nfrom keras import layers\nfrom xray_data import make_images\n"
             "\nkeras.utils.set_random_seed(0)"),
    ("code", "x_train, y_train = make_images(128)\nx_test, y_test = make_images(32)"),
    ("code", 'inputs = keras.Input((16, 16, 3))\nb = layers.Conv2D(8, 3, padding="same", activation="relu")(inputs)\n'
             'b = layers.MaxPooling2D()(b)\nb = layers.Conv2D(8, 3, padding="same", activation="relu")(b)\n'
             'b = layers.MaxPooling2D()(b)\npredictions = layers.Dense(2, activation="relu")(layers.Flatten()(b))\n'
             "model = keras.Model(inputs, predictions)\nfor layer in model.layers[:-2]:\n    layer.trainable = False"),
    ("code", '%%time\nmodel.compile(loss="categorical_crossentropy", optimizer=keras.optimizers.Adam(learning_rate=0.0001), '
             'metrics=["accuracy"])\nhistory = model.fit(x_train, y_train, epochs=12, validation_data=(x_test, y_test), verbose=2)'),
]


def _notebook() -> str:
    cells = [{"cell_type": kind, "metadata": {}, "source": text.splitlines(keepends=True),
              **({"outputs": [], "execution_count": None} if kind == "code" else {})} for kind, text in CELLS]
    return json.dumps({"cells": cells, "metadata": {"language_info": {"name": "python"}}, "nbformat": 4,
                       "nbformat_minor": 5}, indent=1)


@pytest.mark.parametrize("first_cell, expected_first_line", [
    ("%pip install keras\nimport keras", "import sys as _kerlint_sys; _kerlint_sys.path.insert(0, '/nb'); del _kerlint_sys"),
    ("import keras\nx = 1", "import sys as _kerlint_sys; _kerlint_sys.path.insert(0, '/nb'); del _kerlint_sys; import keras"),
    ("for i in range(3):\n    pass", "for i in range(3):"),
])
def test_the_notebooks_directory_goes_on_sys_path_without_moving_a_line(first_cell, expected_first_line):
    source = join_cells([(1, first_cell)]).source
    changed = with_directory_on_path(source, Path("/nb"))
    assert changed.split("\n")[0] == expected_first_line
    assert changed.count("\n") == source.count("\n")
    ast.parse(changed)


@pytest.mark.skipif(importlib.util.find_spec("tensorflow") is None or importlib.util.find_spec("keras") is None,
                    reason="the probe needs TensorFlow and Keras: pip install 'kerlint[keras]'")
def test_a_notebook_with_a_syntax_error_is_not_probed(tmp_path):
    cells = json.loads(_notebook())
    cells["cells"].append({"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": ["x = ("]})
    write(tmp_path, {"xray.ipynb": json.dumps(cells), "xray_data.py": XRAY_DATA})
    result = kerlint("check", "--probe", "--output-format", "json", "xray.ipynb", cwd=tmp_path, timeout=300)
    findings = json.loads(result.out)
    assert [(f["code"], f["cell"]) for f in findings] == [("KL101", 4), ("KL001", 6)]
    assert not any("probe" in f for f in findings)


@pytest.mark.skipif(importlib.util.find_spec("tensorflow") is None or importlib.util.find_spec("keras") is None,
                    reason="the probe needs TensorFlow and Keras: pip install 'kerlint[keras]'")
def test_probe_runs_the_notebook_and_confirms_the_finding_at_its_cell(tmp_path, monkeypatch):
    project, scratch = tmp_path / "project", tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))  # where kerlint's scratch files go: all removed afterwards
    write(project, {"xray.ipynb": _notebook(), "xray_data.py": XRAY_DATA})
    result = kerlint("check", "--probe", "--output-format", "json", "xray.ipynb", cwd=project, timeout=300)
    assert result.code == 1, result.err
    (finding,) = json.loads(result.out)
    assert (finding["code"], finding["cell"], finding["location"]) == ("KL101", 4, {"row": 6, "column": 31})
    assert finding["related"][0]["cell"] == 5
    assert finding["probe"]["verdict"] == CONFIRMED, finding["probe"]
    assert finding["probe"]["evidence"].startswith("loss NaN at step")
    assert sorted(path.name for path in project.iterdir()) == ["xray.ipynb", "xray_data.py"]  # nothing written there
    assert list(scratch.iterdir()) == []
