"""The fixes are offered only where they are certain (safe) or declared unsafe: the cases each one refuses."""

from __future__ import annotations

from dataclasses import replace

import pytest

from kerlint.engine import LintSettings, lint_source
from kerlint.fix import apply_fixes

FIXING = replace(LintSettings.all_rules(), fixes=True)


def _fixes(source: str, code: str):
    return [d.autofix for d in lint_source(source, "train.py", FIXING) if d.code == code]


BACKEND = "from keras import backend as K\n\ndef loss(y_true, y_pred):\n    return {call}\n"


def test_backend_call_becomes_keras_ops_with_the_import_added_once():
    source = BACKEND.format(call="K.mean(K.square(y_true - y_pred), axis=-1)")
    fixed = apply_fixes(source, _fixes(source, "KL705"))
    assert fixed == (
        "import keras\nfrom keras import backend as K\n\ndef loss(y_true, y_pred):\n"
        "    return keras.ops.mean(keras.ops.square(y_true - y_pred), axis=-1)\n"
    )


@pytest.mark.parametrize("source", [
    BACKEND.format(call="K.sum(y_pred, axis=[1, 2])"),  # a list axis: not accepted by keras.ops on JAX/NumPy
    BACKEND.format(call="K.argmax(y_pred)"),  # the backend's default axis is -1, keras.ops' is None
    BACKEND.format(call="K.sum(y_pred, *axes)"),
    "from tensorflow import keras\n" + BACKEND.format(call="K.sum(y_pred)"),  # `keras` is already tf.keras
    BACKEND.format(call="K.sum(y_pred)") + "keras = None\n",  # the import would rebind another `keras`
    "def loss(y_true, y_pred):\n    return K.sum(y_pred)\n",  # a fragment without imports: nowhere to add one
])
def test_backend_fix_is_not_offered_when_not_certain(source):
    assert _fixes(source, "KL705") and all(fix is None for fix in _fixes(source, "KL705"))


def test_an_existing_import_keras_is_reused():
    source = "import keras\nfrom keras import backend as K\n\nx = K.sum(y)\n"
    assert apply_fixes(source, _fixes(source, "KL705")) == "import keras\nfrom keras import backend as K\n\nx = keras.ops.sum(y)\n"


MONITOR = (
    "import keras\n\nmodel.compile(loss='categorical_crossentropy', optimizer='adam', metrics=['accuracy'])\n"
    "model.fit(x, y, validation_split=0.2, callbacks=[keras.callbacks.EarlyStopping(monitor={monitor})])\n"
)


@pytest.mark.parametrize(("monitor", "fixed"), [('"val_acc"', '"val_accuracy"'), ("'acc'", "'accuracy'")])
def test_monitor_fix_keeps_the_quotes(monitor, fixed):
    source = MONITOR.format(monitor=monitor)
    assert apply_fixes(source, _fixes(source, "KL601")) == MONITOR.format(monitor=fixed)


def test_monitor_fix_is_not_offered_for_a_name():
    source = "KEY = 'val_acc'\n" + MONITOR.format(monitor="KEY")
    assert [fix for fix in _fixes(source, "KL601")] == [None]


def test_softmax_fix_needs_a_known_multi_unit_head():
    source = (
        "import keras\n\nmodel = keras.Sequential([keras.layers.Dense(n, activation='relu')])\n"
        "model.compile(loss='categorical_crossentropy', optimizer='adam')\n"
    )
    assert _fixes(source, "KL101") == [None]
    three = source.replace("Dense(n,", "Dense(3,")
    assert [fix.applicability for fix in _fixes(three, "KL101")] == ["unsafe"]
