"""Activation/loss faults in the styles the corpus only samples: Keras 3 `compute_loss` overrides, loss dicts
and lists on multi-output models, `model(x, training=True)` in tf.function/GradientTape loops, a trainer's
`self.model(x)`, JAX-style `stateless_call`, tf.compat.v1 `tf.layers`, Keras 2 `Activation` layers, loss
objects built once and reused, `keras.ops` losses on a model call, a model compiled twice, models used as
layers of other models, a keras.applications architecture with its classification top. Written for
kerlint: each must get exactly these findings (api-compat aside). The `# BUG` comment marks the fault."""

from __future__ import annotations

from pathlib import Path

import pytest

from faulty_programs import codes_and_lines, findings, marked_lines

DATA = Path(__file__).resolve().parent / "data" / "styles_activation"

EXPECTED = {
    "s01_keras3_compute_loss_sigmoid_cce.py": [(16, 'KL109')],
    "s02_loss_dict_relu_head.py": [(9, 'KL101')],
    "s03_loss_list_linear_head.py": [(9, 'KL102')],
    "s04_tf_function_bce_object_linear.py": [(18, 'KL109')],
    "s05_trainer_self_model_from_logits.py": [(9, 'KL107')],
    "s06_tf1_layers_relu_logits.py": [(9, 'KL108')],
    "s07_keras2_activation_layer_sigmoid.py": [(15, 'KL101')],
    "s08_ops_custom_loss_on_relu_model_call.py": [(13, 'KL109'), (13, 'KL401')],
    "s09_jax_stateless_call_linear.py": [(19, 'KL109')],
    "s10_loss_object_shared_by_train_and_eval.py": [(7, 'KL107')],
    "s11_fine_tune_recompile_sigmoid.py": [(12, 'KL101'), (16, 'KL101')],
    "s12_subclass_call_linear_sparse_fn.py": [(21, 'KL109')],
    "s13_dict_outputs_linear_species.py": [(7, 'KL102')],
    "s14_tape_inline_bce_from_logits_sigmoid.py": [(6, 'KL107')],
    "s15_keras2_model_add_tanh_bce.py": [(9, 'KL102')],
    "s16_compute_loss_self_loss_fn.py": [(10, 'KL107')],
    "s17_keras1_model_output_kwarg_softmax_one_unit.py": [(9, 'KL103')],
    "s18_softmax_layer_from_logits.py": [(8, 'KL104')],
    "s19_gan_discriminator_sigmoid_from_logits.py": [(11, 'KL107')],
    "s20_head_on_pretrained_output_tanh.py": [(10, 'KL101')],
    "s21_time_distributed_linear_sparse.py": [(8, 'KL102')],
    "s22_train_step_module_loss_object.py": [(26, 'KL107')],
    "s23_ops_crossentropy_compiled_relu.py": [(14, 'KL112')],
    "s24_loss_list_with_none.py": [(8, 'KL101')],
    "s25_torch_backend_loop_softmax_logits.py": [(11, 'KL107')],
    "s26_config_dict_head.py": [(10, 'KL101')],
    "s27_multi_output_model_call_unpacked.py": [(7, 'KL107')],
    "s28_nested_models_linear_classifier.py": [(11, 'KL102')],
    "s29_application_top_from_logits.py": [(8, 'KL107')],
}


def test_every_program_has_an_expectation():
    assert sorted(EXPECTED) == sorted(p.name for p in DATA.glob("*.py"))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_faulty_program(name):
    assert codes_and_lines(DATA / name) == EXPECTED[name]


def test_every_finding_is_at_or_points_to_the_marked_fault():
    for name, expected in EXPECTED.items():
        marked = marked_lines(DATA / name)
        assert marked, name
        for finding in findings((DATA / name).read_bytes(), name):
            lines = {finding.span.line, *(related.span.line for related in finding.related)}
            assert lines & marked, (name, finding.span.line, finding.code)


LIKELIHOODS = """\
import tensorflow as tf

rate_model = tf.keras.Sequential([tf.keras.layers.Dense(32, activation="relu"), tf.keras.layers.Dense(1, activation="exponential")])
inputs = tf.keras.Input((8,))
hidden = tf.keras.layers.Dense(32, activation="relu")(inputs)
scale_model = tf.keras.Model(inputs, [tf.keras.layers.Dense(1)(hidden), tf.keras.layers.Dense(1, activation="softplus")(hidden)])

def poisson_step(x, counts, optimizer):
    with tf.GradientTape() as tape:
        rate = rate_model(x, training=True)
        loss = tf.reduce_mean(rate - counts * tf.math.log(rate))
    optimizer.apply_gradients(zip(tape.gradient(loss, rate_model.trainable_variables), rate_model.trainable_variables))

def gaussian_step(x, y, optimizer):
    with tf.GradientTape() as tape:
        mean, scale = scale_model(x, training=True)
        loss = tf.reduce_mean(tf.math.log(scale) + 0.5 * tf.square((y - mean) / scale))
    optimizer.apply_gradients(zip(tape.gradient(loss, scale_model.trainable_variables), scale_model.trainable_variables))
"""


def test_the_log_of_a_positive_output_in_a_likelihood_is_no_crossentropy():
    found = findings(LIKELIHOODS.encode(), "likelihoods.py")
    assert [d.code for d in found if d.tag == "activation-loss"] == []
