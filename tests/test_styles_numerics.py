"""Faulty losses in styles the development corpus only samples: `keras.losses.Loss` subclasses in `keras.ops`,
a VAE's loss added by a layer, `tf.function` train steps, `train_step`/`compute_loss` overrides, TF1 graph code
run with `minimize`/`sess.run`, a `layers.Lambda` function, loss factories, NumPy-free `ops.add/subtract/
multiply` arithmetic, `functools.partial` and lambda losses, a JAX `stateless_call` step. Each must get exactly these
findings (api-compat aside); the `# BUG` comment marks the fault. Their correct twins live in
fixtures/correct/published_styles/num_*.py, which the correct-code test keeps silent."""

from __future__ import annotations

from pathlib import Path

import pytest

from faulty_programs import codes_and_lines, findings, marked_lines

DATA = Path(__file__).resolve().parent / "data" / "styles_numerics"

EXPECTED = {
    "s01_loss_subclass_ops_log.py": [(11, "KL401"), (12, "KL401")],
    "s02_vae_reconstruction_add_loss.py": [(15, "KL401"), (15, "KL401")],
    "s03_dice_tf_function_tiny_smooth.py": [(8, "KL406")],
    "s04_triplet_ops_sqrt.py": [(7, "KL403"), (8, "KL403")],
    "s05_weights_from_predicted_counts.py": [(7, "KL402")],
    "s06_tf_function_sigmoid_complement.py": [(11, "KL401"), (11, "KL401")],
    "s07_tf1_log_adam.py": [(12, "KL401")],
    "s08_keras3_ops_divide_precision_loss.py": [(8, "KL402")],
    "s09_inverse_variance_power.py": [(8, "KL404")],
    "s10_compute_loss_logsumexp.py": [(15, "KL405")],
    "s11_focal_unclipped.py": [(8, "KL401")],
    "s12_tape_unnegated_likelihood.py": [(11, "KL407")],
    "s13_lambda_layer_log.py": [(6, "KL401")],
    "s14_tf1_sqrt_distance_sess.py": [(14, "KL403")],
    "s15_tape_ops_kl_divergence.py": [(12, "KL401"), (12, "KL402")],
    "s16_gan_generator_log.py": [(12, "KL401")],
    "s17_train_step_rmse_power.py": [(9, "KL403")],
    "s18_keras3_rsqrt_variance.py": [(7, "KL403")],
    "s19_inverse_square_prediction.py": [(7, "KL404")],
    "s20_tf1_helper_network_log.py": [(14, "KL401"), (14, "KL401")],
    "s21_iou_factory_tiny_smooth.py": [(5, "KL406")],
    "s22_tape_reciprocal_scale.py": [(10, "KL402")],
    "s23_poisson_log_rate_exp.py": [(6, "KL405")],
    "s24_keras3_functional_ops_bce.py": [(6, "KL401"), (7, "KL401")],
    "s25_keras3_functional_ops_unnegated.py": [(8, "KL407")],
    "s26_partial_loss_ops_log.py": [(8, "KL401")],
    "s27_compile_lambda_ops_log.py": [(5, "KL401")],
    "s28_tape_helper_compute_loss.py": [(8, "KL401")],
    "s29_jax_stateless_call_log.py": [(10, "KL401"), (10, "KL401")],
    "s30_minimize_callable_division.py": [(8, "KL402")],
    "s31_tape_cosine_norm_division.py": [(9, "KL402")],
}


def test_every_program_has_an_expectation():
    assert sorted(EXPECTED) == sorted(p.name for p in DATA.glob("*.py"))


def test_every_expected_finding_is_on_a_marked_line():
    for name, expected in EXPECTED.items():
        marked = marked_lines(DATA / name)
        assert {line for line, _ in expected} == marked, name


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_faulty_program(name):
    assert codes_and_lines(DATA / name) == EXPECTED[name]

