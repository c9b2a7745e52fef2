"""The probe end to end on the CPU: the modern fixtures, their fixes, and hostile scripts.

Needs TensorFlow + Keras (the `keras` extra, installed by `dev`); skipped with a reason otherwise.
Every child runs in parallel batches. The tests assert verdicts and measured quantities (probe_measures.py),
never the evidence's wording. The modern fixtures are probed on every installed backend (TensorFlow twice:
as the machine is, and with another floating-point order, oneDNN flipped and one thread), and each test
holds in every one of them: the same verdicts on TensorFlow, JAX and PyTorch.
"""

from __future__ import annotations

import importlib.util
import json
import os
import signal
from pathlib import Path

import pytest

import probe_measures as measures
from clirun import REPO, kerlint
from kerlint.probe.attach import _steps_total
from kerlint.probe.options import ProbeOptions
from kerlint.probe.report import write_reports
from kerlint.probe.runner import probe_files
from kerlint.probe.verdicts import CONFIRMED, INCONCLUSIVE, NOT_REPRODUCED, margin_text, verdict

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("tensorflow") is None or importlib.util.find_spec("keras") is None,
    reason="the probe tests need TensorFlow and Keras (some fixtures import tensorflow): pip install 'kerlint[dev]'",
)

MODERN = REPO / "fixtures" / "modern"
# (fixture, the finding codes to ask about: the buggy twin's static findings)
CASES = {
    "modern_000_sgd_unclipped.py": {"KL301"},
    "modern_000_sgd_unclipped_fixed.py": {"KL301"},
    "modern_003_relu_categorical.py": {"KL101"},
    "modern_003_relu_categorical_fixed.py": {"KL101"},
    "modern_004_whitened_masks.py": {"KL201"},
    "modern_004_whitened_masks_fixed.py": {"KL201"},
    "modern_004_answer_tanh_bce.py": {"KL401", "KL407"},
    "modern_004_answer_tanh_bce_fixed.py": {"KL401", "KL407"},
    "modern_002_adam_epsilon.py": {"KL302"},
}
STEPS = 120
# Generous: the run ends after STEPS steps (or three non-finite losses) on any machine, not on a clock.
OPTIONS = ProbeOptions(jobs=2, timeout_s=150, train_seconds=60.0, steps=STEPS)


def _other_float_order() -> dict[str, str]:
    """oneDNN switched the other way and one thread: another order of floating-point sums than the default."""
    onednn = "1" if os.environ.get("TF_ENABLE_ONEDNN_OPTS") == "0" else "0"
    return {"TF_ENABLE_ONEDNN_OPTS": onednn, "TF_NUM_INTRAOP_THREADS": "1", "TF_NUM_INTEROP_THREADS": "1",
            "OMP_NUM_THREADS": "1"}


# Each Keras backend the probe trains on, TensorFlow a second time in another floating-point order. A
# backend that is not installed is skipped (`dev` installs TensorFlow and JAX; CI adds PyTorch's CPU wheel
# in a step of its own, which runs `-k torch`).
ENVIRONMENTS = {
    "tensorflow": {"KERAS_BACKEND": "tensorflow"},
    "tensorflow-onednn-flipped-1-thread": {"KERAS_BACKEND": "tensorflow", **_other_float_order()},
    "jax": {"KERAS_BACKEND": "jax"},
    "torch": {"KERAS_BACKEND": "torch"},
}


class Probed(dict):
    """{fixture name: FileProbe}, and the backend they ran on."""

    backend: str


@pytest.fixture(scope="module", params=list(ENVIRONMENTS))
def fixtures_probed(request):
    """Every modern fixture probed once per environment: each test below must hold in all of them."""
    environment = ENVIRONMENTS[request.param]
    if importlib.util.find_spec(environment["KERAS_BACKEND"]) is None:
        pytest.skip(f"{environment['KERAS_BACKEND']} is not installed")
    work = [(MODERN / name, name, codes) for name, codes in CASES.items()]
    with pytest.MonkeyPatch.context() as patch:
        for key, value in environment.items():
            patch.setenv(key, value)  # the child inherits the parent's environment
        probed = Probed({probe.shown: probe for probe in probe_files(work, OPTIONS)})
    probed.backend = environment["KERAS_BACKEND"]
    for probe in probed.values():  # the backend asked for is the one that trained, and it says so
        for model in probe.models:
            assert model["probe"].get("backend") in (environment["KERAS_BACKEND"], None), model["probe"]
    return probed


def _margin(stability: dict) -> str:
    """The margin sentence the evidence ends with, from the stability record's numbers."""
    from kerlint.probe.records import Stability

    return margin_text(Stability.from_json(stability, "stability"))


def _probed(probe) -> tuple[dict, dict]:
    assert probe.models, probe.notes
    model = probe.models[0]
    assert "trajectory" in model["probe"], model["probe"]
    return model, model["probe"]


def _verdicts(probe, codes):
    model, _ = _probed(probe)
    return {code: verdict(code, model, model.get("probe"), _steps_total(model)) for code in codes}


def test_relu_before_categorical_ce_turns_nan(fixtures_probed):
    found = _verdicts(fixtures_probed["modern_003_relu_categorical.py"], {"KL101"})["KL101"]
    assert found["verdict"] == CONFIRMED, found
    _, result = _probed(fixtures_probed["modern_003_relu_categorical.py"])
    nan_step = measures.first_nonfinite_step(result)
    assert 0 <= nan_step < STEPS
    assert result["trajectory"][nan_step]["zero_sum"] > 0  # there, a sample's relu outputs are all 0: 0/0


def test_inspector_sees_the_relu_head_built_in_a_helper(fixtures_probed):
    model = fixtures_probed["modern_003_relu_categorical.py"].models[0]
    assert model["outputs"][0]["activation"] == "relu" and model["outputs"][0]["units"] == 2
    assert model["outputs"][0]["line"] == 56 and model["compile_line"] == 61
    assert model["optimizer"]["name"] == "Adam" and model["optimizer"]["params"]["learning_rate"] == 0.0001
    assert [(f["code"], f["line"]) for f in model["findings"]] == [("KL101", 56)]


def test_whitened_masks_give_negative_binary_ce(fixtures_probed):
    """The fixture imports `tensorflow` (ImageDataGenerator): on PyTorch it loads next to torch within the
    default memory limit, and PyTorch's binary CE refuses the whitened targets at the first step."""
    probe = fixtures_probed["modern_004_whitened_masks.py"]
    found = _verdicts(probe, {"KL201"})["KL201"]
    assert found["verdict"] == CONFIRMED, found
    model, result = _probed(probe)
    targets = model["data"]["targets"]  # whitened masks: about -0.34 and 2.96 instead of 0 and 1
    assert targets["min"] == pytest.approx(-0.338, abs=0.01) and targets["max"] == pytest.approx(2.96, abs=0.01)
    assert measures.target_harm_step(result) is not None  # the loss went negative, or the backend refused the targets


def test_tanh_modified_bce_is_confirmed(fixtures_probed):
    probe = fixtures_probed["modern_004_answer_tanh_bce.py"]
    found = _verdicts(probe, {"KL401", "KL407"})
    assert found["KL401"]["verdict"] == CONFIRMED and found["KL407"]["verdict"] == CONFIRMED, found
    _, result = _probed(probe)
    assert measures.first_negative_step(result) <= 5  # a log-likelihood, never negated: negative from the start
    negative, broken = measures.first_negative_step(result), measures.first_nonfinite_step(result)
    assert 5 <= broken < STEPS  # the unguarded log(1 + y_pred) reaches log(0) as tanh saturates
    assert any(row["saturated"] > 0 for row in result["trajectory"][: broken + 1])  # an output within 1e-6 of ±1
    assert measures.losses(result)[broken - 1] < measures.losses(result)[negative] < 0  # falling toward -inf until then


@pytest.mark.parametrize("name", [
    "modern_003_relu_categorical_fixed.py", "modern_004_whitened_masks_fixed.py", "modern_004_answer_tanh_bce_fixed.py",
    "modern_000_sgd_unclipped_fixed.py",
])
def test_fixed_versions_are_not_reproduced(fixtures_probed, name):
    for code, found in _verdicts(fixtures_probed[name], CASES[name]).items():
        assert found["verdict"] == NOT_REPRODUCED, (code, found)
    _, result = _probed(fixtures_probed[name])
    assert result["trajectory"] and measures.first_nonfinite_step(result) is None
    assert min(measures.finite_losses(result)) >= 0


def test_adam_epsilon_is_inconclusive_with_the_reason(fixtures_probed):
    probe = fixtures_probed["modern_002_adam_epsilon.py"]
    found = _verdicts(probe, {"KL302"})["KL302"]
    assert found["verdict"] == INCONCLUSIVE, found
    model, result = _probed(probe)
    assert _steps_total(model) == 37_440 and len(result["trajectory"]) < _steps_total(model)
    assert result["adam"]["epsilon"] == pytest.approx(1e-7) and result["adam"]["median_sqrt_v"] > 0


def test_unclipped_sgd_blows_up_with_the_stability_margin(fixtures_probed):
    """An optimizer finding gets the sharpness and the edge of stability without `sharpness = true`:
    Nesterov momentum 0.9, lr 0.01 -> edge 2(1+β)/((1+2β)·lr) = 136. How the blow-up shows (a NaN, a spike
    then a collapse, a flat 1.0) depends on floating-point order; that it happens does not."""
    probe = fixtures_probed["modern_000_sgd_unclipped.py"]
    found = _verdicts(probe, {"KL301"})["KL301"]
    assert found["verdict"] == CONFIRMED, found
    _, result = _probed(probe)
    assert measures.blew_up(result), measures.norms(result)  # a NaN, or a spike then a collapse
    stability = result["stability"]
    assert _margin(stability) and found["evidence"].endswith(_margin(stability))
    if "ratio" in stability:  # sized from the model's arithmetic, not a clock: the whole batch of 4 on any machine
        assert stability["kind"] == "nesterov" and stability["when"] == "start" and stability["iterations"] == 10
        assert stability["samples"] == 4 and stability["multiply_adds"] < 2e10
        assert stability["edge"] == pytest.approx(135.714, rel=1e-3) and stability["sharpness"] > 0
        assert stability["ratio"] == pytest.approx(stability["sharpness"] / stability["edge"])
    else:  # (JAX's initial weights) the power iteration's dominant eigenvalue is negative, and it says so
        assert stability["note"].startswith("sharpness estimate not usable"), stability


def test_report_has_per_layer_gradient_norms_every_step(fixtures_probed, tmp_path):
    probe = fixtures_probed["modern_000_sgd_unclipped.py"]
    (path,) = [p for p in write_reports(tmp_path, [probe]) if p.suffix == ".json"]
    document = json.loads(path.read_text())
    trainable = [layer["name"] for layer in document["model"]["layers"] if layer["class"] == "Conv2D"]
    rows = document["model"]["probe"]["trajectory"]
    assert trainable == ["conv2d", "conv2d_1", "conv2d_2", "conv2d_3"] and rows
    for row in rows:
        assert list(row["layer_norms"]) == trainable
        if all(isinstance(v, float) for v in row["layer_norms"].values()) and isinstance(row["grad_norm"], float):
            assert sum(v**2 for v in row["layer_norms"].values()) ** 0.5 == pytest.approx(row["grad_norm"], rel=1e-3, abs=1e-12)


@pytest.mark.parametrize("backend", ["tensorflow", "jax", "torch"])
def test_cli_json_carries_the_verdict_and_the_backend(tmp_path, monkeypatch, backend):
    if importlib.util.find_spec(backend) is None:
        pytest.skip(f"{backend} is not installed")
    monkeypatch.setenv("KERAS_BACKEND", backend)
    fixture = MODERN / "modern_003_relu_categorical.py"
    result = kerlint("check", "--probe", "--select", "KL101", "--output-format", "json", str(fixture), cwd=tmp_path)
    (finding,) = json.loads(result.out)
    probe = finding["probe"]
    assert probe["verdict"] == CONFIRMED and probe["backend"] == backend, probe
    assert probe["device"] == "CPU" or probe["device"].startswith("GPU ("), probe
    assert probe["steps"] > 0 and probe["seconds"] > 0 and len(probe["grad_norms"]) == probe["steps"]
    assert list(tmp_path.iterdir()) == []  # nothing written where kerlint ran


HOSTILE = {
    "hangs.py": "import subprocess, sys\n"
                "child = subprocess.Popen(['sleep', '300.0271'])\n"
                "while True:\n    pass\n",
    "exits.py": "import os\nimport keras\n"
                "model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, activation='relu')])\n"
                "model.compile(loss='categorical_crossentropy', optimizer='adam')\n"
                "os._exit(3)\n",
    "raises.py": "import keras\n\n\ndef load():\n    raise RuntimeError('no network to download the data')\n\n\nload()\n",
    "writes.py": "import keras\nimport helper\n"
                 "open('written_in_cwd.txt', 'w').write('x')\n"
                 "open(__file__ + '.bak', 'w').write('x')\n",
    "helper.py": "VALUE = 1\n",
    "segfaults.py": "import ctypes\nctypes.string_at(0)\n",
    "allocates.py": "blocks = []\nwhile True:\n    blocks.append(bytearray(1 << 30))\n",
    "prints.py": "import threading, time\n"
                 "threading.Thread(target=lambda: time.sleep(10_000)).start()\n"
                 "for _ in range(200):\n    print('x' * 100_000)\n",
    "good.py": "import numpy as np\nimport keras\n"
               "keras.utils.set_random_seed(0)\n"
               "x = np.random.default_rng(0).normal(size=(64, 4)).astype('float32')\n"
               "y = (2 * (x[:, :1] > 0) - 1).astype('float32') * 3\n"
               "model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1, activation='sigmoid')])\n"
               "model.compile(loss='binary_crossentropy', optimizer=keras.optimizers.SGD(learning_rate=0.5))\n"
               "model.fit(x, y, epochs=3)\n",
}


def _running(marker: str) -> list[int]:
    """Live processes whose command line contains `marker`."""
    found = []
    for entry in os.listdir("/proc"):
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as handle:
                if marker.encode() in handle.read() and _alive(int(entry)):
                    found.append(int(entry))
        except (OSError, ValueError):
            continue
    return found


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is not running
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().split()[2] != "Z"
    except OSError:
        return True


def test_hostile_scripts_are_reported_and_contained(tmp_path):
    for name, text in HOSTILE.items():
        (tmp_path / name).write_text(text)
    before = sorted(p.name for p in tmp_path.iterdir())
    names = ["hangs.py", "exits.py", "raises.py", "writes.py", "good.py", "segfaults.py", "allocates.py", "prints.py"]
    work = [(tmp_path / name, name, {"KL201"} if name == "good.py" else set()) for name in names]
    probes = {p.shown: p for p in probe_files(work, ProbeOptions(jobs=3, timeout_s=20, train_seconds=15.0))}

    hang = probes["hangs.py"]
    assert any("20 s time limit" in note for note in hang.notes), hang.notes
    assert not _running("300.0271")  # the script's own child was killed too (its pid inside the probe's namespace means nothing here)

    exits = probes["exits.py"]
    assert any("os._exit(3) at exits.py:5" in note for note in exits.notes), exits.notes
    assert exits.models and exits.models[0]["findings"][0]["code"] == "KL101"  # built before the exit: inspected

    raises = probes["raises.py"]
    assert any("raises.py:5: RuntimeError: no network" in note for note in raises.notes), raises.notes

    writes = probes["writes.py"]
    assert any("PermissionError" in note and "outside the sandbox" in note for note in writes.notes), writes.notes

    good = probes["good.py"]
    found = verdict("KL201", good.models[0], good.models[0]["probe"])
    assert found["verdict"] == CONFIRMED, found
    assert (good.models[0]["data"]["targets"]["min"], good.models[0]["data"]["targets"]["max"]) == (-3.0, 3.0)

    assert any("killed by signal SIGSEGV" in note for note in probes["segfaults.py"].notes), probes["segfaults.py"].notes
    assert any("MemoryError" in note for note in probes["allocates.py"].notes), probes["allocates.py"].notes
    printed = probes["prints.py"]  # megabytes of output are cut to a tail; a thread left running doesn't hold the child
    assert len(printed.stdout) < 20_000 and printed.stdout.startswith("[...]")
    assert not any("time limit" in note for note in printed.notes), printed.notes
    assert any("no compiled Keras model" in note for note in printed.notes)

    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no file, no __pycache__, no .bak


FACTORY = """\
import numpy as np
import keras


def build():
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="softmax")])
    model.compile(loss="categorical_crossentropy", optimizer=keras.optimizers.SGD(learning_rate=0.1, momentum=0.98))
    return model


def data():
    rng = np.random.default_rng(0)
    return rng.normal(size=(64, 4)).astype("float32"), np.eye(3)[rng.integers(0, 3, 64)].astype("float32")
"""


def test_model_factory_with_data_and_sharpness(tmp_path, monkeypatch):
    (tmp_path / "mymodels.py").write_text(FACTORY)
    monkeypatch.chdir(tmp_path)
    options = ProbeOptions(model="mymodels:build", data="mymodels:data", sharpness=True, timeout_s=60, train_seconds=30.0)
    (probe,) = probe_files([(None, "mymodels.py", set())], options)
    (model,) = probe.models
    assert [(f["code"], f["line"]) for f in model["findings"]] == [("KL301", 7)]
    assert model["data"]["source"] == "captured" and model["data"]["targets"]["distinct"] == 2
    stability = model["probe"]["stability"]
    assert "lr" in stability, stability
    assert stability["lr"] == pytest.approx(0.1) and stability["edge"] == pytest.approx(39.6) and stability["sharpness"] > 0
    assert stability["kind"] == "momentum" and stability["formula"] == "2(1+0.98)/0.1"
    assert stability["ratio"] == pytest.approx(stability["sharpness"] / 39.6) and stability["ratio"] < 1
    found = verdict("KL301", model, model["probe"])
    assert found["verdict"] == NOT_REPRODUCED and measures.healthy(model["probe"]), found
    assert found["evidence"].endswith(_margin(stability))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mymodels.py"]


ADAM_FACTORY = FACTORY.replace("SGD(learning_rate=0.1, momentum=0.98)", "Adam(learning_rate=0.5)")


def test_adam_margin_is_the_preconditioned_sharpness_after_the_run(tmp_path, monkeypatch):
    """KL303 asked about (no `sharpness` option): lr·λmax(diag(1/(√v̂+ε))·H) against 2(1+β1)/(1-β1) = 38."""
    (tmp_path / "adammodels.py").write_text(ADAM_FACTORY)
    monkeypatch.chdir(tmp_path)
    options = ProbeOptions(model="adammodels:build", data="adammodels:data", timeout_s=60, train_seconds=30.0)
    (probe,) = probe_files([(None, "adammodels.py", {"KL303"})], options)
    (model,) = probe.models
    stability = model["probe"]["stability"]
    assert "kind" in stability, stability
    assert stability["kind"] == "adam" and stability["when"] == "end" and stability["edge"] == pytest.approx(38.0)
    assert stability["compared"] == pytest.approx(0.5 * stability["sharpness"])
    assert stability["formula"] == "2(1+0.9)/(1-0.9)" and stability["ratio"] == pytest.approx(stability["compared"] / 38.0)
    found = verdict("KL303", model, model["probe"])
    assert found["evidence"].endswith(_margin(stability))


HEAD = "import numpy as np\nimport keras\n"
MODEL = ("model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1, activation='sigmoid')])\n"
         "model.compile(loss='binary_crossentropy', optimizer={optimizer})\n")
BATCH = ("x = np.random.default_rng({seed}).normal(size=(16, 4)).astype('float32')\n"
         "{indent}y = (x[:, :1] > 0).astype('float32') * 4\n")
DATA_SOURCES = {
    "tfdata.py": HEAD + "import tensorflow as tf\n" + BATCH.format(seed=0, indent="")
    + "ds = tf.data.Dataset.from_tensor_slices((x, y)).batch(4)\n" + MODEL.format(optimizer="'adam'") + "model.fit(ds, epochs=2)\n",
    "pydataset.py": HEAD + "class Data(keras.utils.PyDataset):\n    def __len__(self):\n        return 4\n\n"
    "    def __getitem__(self, i):\n        " + BATCH.format(seed="i", indent="        ") + "        return x, y\n\n\n"
    + MODEL.format(optimizer="'adam'") + "model.fit(Data(), epochs=2)\n",
    "legacy.py": HEAD + "from keras.optimizers import SGD\n\n\ndef gen():\n    while True:\n        "
    + BATCH.format(seed=0, indent="        ") + "        yield x, y\n\n\n" + MODEL.format(optimizer="SGD(lr=0.1, decay=1e-6)")
    + "model.fit_generator(gen(), steps_per_epoch=10, nb_epoch=3)\n",
}


def test_data_sources_and_keras2_spellings_are_captured(tmp_path):
    """tf.data, PyDataset, a Python generator through fit_generator with lr=/decay=/nb_epoch=: the
    targets * 4 are invisible to static analysis, measured on the built model's data."""
    for name, text in DATA_SOURCES.items():
        (tmp_path / name).write_text(text)
    work = [(tmp_path / name, name, set()) for name in DATA_SOURCES]
    probes = {p.shown: p for p in probe_files(work, ProbeOptions(jobs=3, timeout_s=60, train_seconds=30.0))}
    for name, probe in probes.items():
        (model,) = probe.models
        assert model["data"]["source"] == "captured", (name, probe.notes)
        assert model["data"]["targets"]["max"] == 4.0 and model["data"]["targets"]["distinct"] == 2
        assert [f["code"] for f in model["findings"]] == ["KL201"], (name, model["findings"])
        assert verdict("KL201", model, model["probe"])["verdict"] == CONFIRMED
    legacy = probes["legacy.py"]
    assert legacy.models[0]["runs"] == [{"method": "fit_generator", "line": 15, "epochs": 3, "steps_per_epoch": 10, "calls": 1}]
    assert legacy.models[0]["optimizer"]["params"]["learning_rate"] == 0.1
    assert "SGD(lr=...) built as learning_rate=... (Keras 1/2 spelling)" in legacy.notes
