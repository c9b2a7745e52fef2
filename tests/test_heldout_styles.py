"""A blind set: faulty programs written as users write them (Stack Overflow questions, GitHub scripts) before
their author read the rules or the other style tests: argparse scripts, notebook exports, Keras 2 star
imports, tf.keras 2.x, Keras 3 on JAX and torch, TF1 sessions, custom loops, loss factories, module-level loss
dicts, `functools.partial`, losses as methods, Loss subclass instances, multi-output models, Dice/IoU/focal/
contrastive/VAE/GAN/CTC/KL losses. Each holds one fault of the activation-loss or loss-numerics family and
must get exactly these findings (api-compat aside). `# BUG` marks the fault; a mismatch between an output and
its loss is a pair, and its other end is marked too (`# BUG (the other end of the pair)`): every finding must
sit on a marked line. Their correct companions are fixtures/correct/published_styles/blind_*.py, which the
correct-code test keeps silent."""

from __future__ import annotations

from pathlib import Path

import pytest

from faulty_programs import codes_and_lines, findings, marked_lines

DATA = Path(__file__).resolve().parent / "data" / "heldout_styles"

EXPECTED = {
    "argparse_softmax_binary_many.py": [(29, "KL111")],
    "chi_square_negative_power.py": [(9, "KL404")],
    "class_method_tiny_epsilon.py": [(21, "KL406")],
    "compat_v1_sigmoid_as_logits.py": [(14, "KL107")],
    "ctc_linear_head.py": [(13, "KL109")],
    "dcgan_linear_disc_probability_bce.py": [(28, "KL109")],
    "dice_factory_unguarded_division.py": [(10, "KL402")],
    "focal_in_module_dict.py": [(16, "KL401")],
    "heteroscedastic_linear_sigma.py": [(9, "KL401"), (9, "KL402")],
    "iou_tape_unguarded_division.py": [(19, "KL402")],
    "keras2_star_sigmoid_categorical.py": [(24, "KL101")],
    "keras3_jax_vae_add_loss.py": [(23, "KL401"), (23, "KL401")],
    "keras3_loss_subclass_instance.py": [(13, "KL401")],
    "keras3_torch_sigmoid_sparse.py": [(15, "KL101")],
    "kl_divergence_divides_prediction.py": [(10, "KL401"), (10, "KL402")],
    "multi_output_linear_gender_bce.py": [(11, "KL102")],
    "notebook_linear_head_categorical.py": [(29, "KL102")],
    "partial_weighted_ce.py": [(13, "KL401")],
    "siamese_tape_unguarded_sqrt.py": [(25, "KL403")],
    "softmax_head_sparse_from_logits.py": [(13, "KL104")],
    "subclass_call_softmax_sparse_logits.py": [(14, "KL107")],
    "tf1_session_unguarded_log.py": [(18, "KL401")],
    "tf1_softmax_into_with_logits.py": [(25, "KL107")],
    "train_step_override_kld_linear.py": [(19, "KL102")],
    "unnegated_log_likelihood.py": [(12, "KL407")],
    # A second round, written after the first round's fixes and before any more: Keras 3 on torch with
    # loss.backward(), a mixture density network, REINFORCE, relu before binary crossentropy, a Softmax layer
    # before from_logits=True, a subclassed model's linear head, un-negated log_softmax, a hand-written weighted
    # BCE, TF1 tf.layers + log_loss, a triplet loss on tf.norm, a Tversky factory's tiny smoothing default.
    "r2_keras3_torch_train_step_backward.py": [(12, "KL401")],
    "r2_mdn_inverse_variance.py": [(10, "KL404")],
    "r2_multilabel_softmax_bce_object.py": [(7, "KL111")],
    "r2_reinforce_log_prob.py": [(16, "KL401")],
    "r2_relu_head_binary.py": [(11, "KL102")],
    "r2_softmax_layer_from_logits.py": [(8, "KL104")],
    "r2_subclass_linear_cce_object.py": [(30, "KL109")],
    "r2_tape_unnegated_log_softmax.py": [(10, "KL407")],
    "r2_tape_weighted_bce_by_hand.py": [(11, "KL401"), (11, "KL401")],
    "r2_tf1_dense_log_loss.py": [(8, "KL109")],
    "r2_triplet_tf_norm.py": [(10, "KL403"), (11, "KL403")],
    "r2_tversky_tiny_smooth_keras3.py": [(5, "KL406")],
}


def test_every_program_has_an_expectation():
    assert sorted(EXPECTED) == sorted(p.name for p in DATA.glob("*.py"))


def test_every_expected_finding_is_on_a_marked_line():
    for name, expected in EXPECTED.items():
        assert expected, name
        assert {line for line, _ in expected} <= marked_lines(DATA / name), name


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_faulty_program(name):
    assert codes_and_lines(DATA / name) == EXPECTED[name]
