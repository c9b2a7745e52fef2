"""A model compiled more than once (fine-tuning, a recompile with another loss, a tutorial showing
variants): each compile() that trains it is checked against its output, and reported at that compile."""

from __future__ import annotations

import textwrap

import libcst as cst

from kerlint.engine import LintSettings, lint_source
from kerlint.extract import extract_facts

SETTINGS = LintSettings.all_rules()

HEAD = """\
import keras
inputs = keras.Input((20,))
outputs = keras.layers.Dense(5, activation="{activation}")(inputs)
model = keras.Model(inputs, outputs)
"""


def lint(source: str):
    return [d for d in lint_source(textwrap.dedent(source), "t.py", SETTINGS) if not d.code.startswith("KL7")]


def found(source: str) -> list[tuple[int, str]]:
    return sorted((d.span.line, d.code) for d in lint(source))


def test_fine_tuning_with_consistent_losses_is_silent():
    source = HEAD.format(activation="softmax") + """\
model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
model.fit(x, y, epochs=5)
model.compile(optimizer=keras.optimizers.Adam(1e-5), loss="categorical_crossentropy", metrics=["accuracy"])
model.fit(x, y, epochs=5)
"""
    assert found(source) == []


def test_the_same_mismatch_in_two_compiles_is_one_finding_at_each_compile():
    source = HEAD.format(activation="sigmoid") + """\
model.compile(optimizer="adam", loss="categorical_crossentropy")
model.fit(x, y, epochs=5)
model.compile(optimizer=keras.optimizers.Adam(1e-5), loss="categorical_crossentropy")
model.fit(x, y, epochs=5)
"""
    findings = lint(source)
    assert sorted((d.span.line, d.code) for d in findings) == [(5, "KL101"), (7, "KL101")]
    for finding in findings:
        assert finding.message.startswith('keras.layers.Dense(5, activation="sigmoid") feeds categorical_crossentropy')
        assert [(r.span.line, r.message) for r in finding.related] == [(3, "sigmoid output chosen here")]


def test_a_mismatch_in_the_first_compile_only_is_reported_there():
    source = HEAD.format(activation="sigmoid") + """\
model.compile(optimizer="adam", loss="categorical_crossentropy")
model.fit(x, y, epochs=5)
model.compile(optimizer="adam", loss="binary_crossentropy")
model.fit(x, y, epochs=5)
"""
    assert found(source) == [(5, "KL101")]


def test_a_recompile_with_a_mismatched_loss_is_reported_at_the_recompile():
    source = HEAD.format(activation="softmax") + """\
model.compile(optimizer="adam", loss="categorical_crossentropy")
model.fit(x, y, epochs=5)
model.compile(optimizer="sgd", loss="mse")
model.fit(x, y, epochs=5)
"""
    findings = lint(source)
    assert [(d.span.line, d.code) for d in findings] == [(7, "KL111")]
    assert "'mse' trains the softmax classification head" in findings[0].message.replace('"', "'")


def test_without_visible_training_every_compile_is_checked():
    source = HEAD.format(activation="sigmoid") + """\
model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
model.compile(loss="binary_crossentropy", optimizer="adam", metrics=["acc"])
"""
    assert found(source) == [(5, "KL101")]


def test_a_compile_replaced_before_any_training_trains_nothing():
    source = HEAD.format(activation="linear") + """\
model.compile(optimizer="adam", loss="categorical_crossentropy")
model.compile(optimizer="adam", loss=keras.losses.CategoricalCrossentropy(from_logits=True))
model.fit(x, y, epochs=5)
"""
    assert found(source) == []


def test_a_compiled_once_model_is_still_reported_at_its_output():
    source = HEAD.format(activation="relu") + """\
model.compile(optimizer="adam", loss="categorical_crossentropy")
model.fit(x, y, epochs=5)
"""
    findings = lint(source)
    assert [(d.span.line, d.code) for d in findings] == [(3, "KL101")]
    assert [r.span.line for r in findings[0].related] == [5]


def test_every_compile_is_a_fact_and_compile_is_the_last():
    source = HEAD.format(activation="softmax") + """\
model.compile(optimizer="adam", loss="categorical_crossentropy")
model.compile(optimizer="sgd", loss="mse")
"""
    model = extract_facts(cst.parse_module(source), "t.py").models[0]
    assert [c.losses[0].name for c in model.compiles] == ["categorical_crossentropy", "mse"]
    assert model.compile is model.compiles[-1]


TWO_HEADS = """\
import keras
inputs = keras.Input((32,))
score = keras.layers.Dense(1, name="score_output")(inputs)
classes = keras.layers.Dense(5, name="class_output")(inputs)
model = keras.Model(inputs, [score, classes])
model.compile(optimizer="adam", loss={loss})
model.fit(x, [y_score, y_class], epochs=3)
"""


def test_a_loss_dict_applies_each_loss_to_the_output_it_names():
    bad = TWO_HEADS.format(loss='{"class_output": keras.losses.CategoricalCrossentropy()}')
    assert found(bad) == [(4, "KL102")]  # not the one-unit score output: no loss is given for it
    good = TWO_HEADS.format(loss='{"score_output": "mse", "class_output": keras.losses.CategoricalCrossentropy(from_logits=True)}')
    assert found(good) == []


def test_a_callback_is_checked_against_the_compile_its_fit_follows():
    source = """\
import keras
model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(3, activation="softmax")])
model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
model.fit(x, y, validation_split=0.2, callbacks=[keras.callbacks.EarlyStopping(monitor="val_accuracy")])
model.compile(optimizer="adam", loss="categorical_crossentropy")
model.fit(x, y, validation_split=0.2, callbacks=[keras.callbacks.EarlyStopping(monitor="val_accuracy")])
"""
    assert found(source) == [(6, "KL601")]


def test_the_optimizer_of_a_first_compile_is_in_use():
    source = """\
import keras
model = keras.Sequential([keras.Input((8,)), keras.layers.LSTM(16), keras.layers.Dense(3, activation="softmax")])
model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.05, momentum=0.9), loss="categorical_crossentropy")
model.fit(x, y, epochs=5)
model.compile(optimizer=keras.optimizers.Adam(1e-4), loss="categorical_crossentropy")
model.fit(x, y, epochs=5)
"""
    assert found(source) == [(3, "KL301")]
