"""Faulty programs in the styles kerlint meets in the wild (Keras Sequential/functional/subclassed, tf.keras,
Keras 3 `keras.ops`, TF1 graph code, GradientTape loops, `train_step`/`compute_loss` overrides), written for
kerlint: each must get exactly these findings (api-compat aside). The `# BUG` comment marks the fault."""

from __future__ import annotations

from pathlib import Path

import pytest

from faulty_programs import codes_and_lines, findings, marked_lines

DATA = Path(__file__).resolve().parent / "data" / "generalisation"

EXPECTED = {
    "f01_relu_cce_seq.py": [(4, 'KL101')],
    "f02_linear_cce_functional.py": [(4, 'KL102')],
    "f03_sigmoid_cce_multi.py": [(5, 'KL101')],
    "f04_softmax_one_unit.py": [(5, 'KL103')],
    "f05_from_logits_softmax.py": [(5, 'KL104')],
    "f06_tf1_softmax_as_logits.py": [(6, 'KL107')],
    "f07_tf1_unclipped_log.py": [(7, 'KL401')],
    "f08_handwritten_bce.py": [(4, 'KL401'), (4, 'KL401')],
    "f09_div_reduce_sum.py": [(3, 'KL402')],
    "f10_contrastive_sqrt.py": [(5, 'KL403')],
    "f11_exp_logit.py": [(3, 'KL405')],
    "f12_labels_1_to_10.py": [(8, 'KL201')],
    "f14_standardised_targets_bce.py": [(5, 'KL201')],
    "f16_raw_pixels_dense.py": [(7, 'KL501')],
    "f18_adam_lr1.py": [(4, 'KL303')],
    "f19_ops_log_loss.py": [(4, 'KL401'), (4, 'KL401')],
    "f20_K_dice.py": [(6, 'KL402')],
    "f21_tape_softmax_log.py": [(7, 'KL401')],
    "f22_train_step_override.py": [(8, 'KL401')],
    "f23_subclassed_relu_head.py": [(6, 'KL101')],
    "f24_tf1_log1m.py": [(7, 'KL401'), (7, 'KL401')],
    "f25_sigmoid_logits_v2.py": [(5, 'KL107')],
    "f26_tanh_bce.py": [(5, 'KL102')],
    "f27_linear_bce_string.py": [(4, 'KL102')],
    "f28_tape_cce_logits_false.py": [(8, 'KL109')],
    "f29_cifar_raw_conv.py": [(10, 'KL501')],
    "f30_ops_div.py": [(6, 'KL402')],
    "f31_onehot_labels_shifted.py": [(8, 'KL201')],
    "f32_tape_exp.py": [(8, 'KL405')],
    "g01_ops_log_softmax_head.py": [(4, 'KL401')],
    "g02_loss_class_log.py": [(7, 'KL401')],
    "g03_tf1_sigmoid_ce_manual.py": [(7, 'KL107')],
    "g04_keras_fn_from_logits_on_softmax.py": [(2, 'KL107')],
    "g05_sigmoid_ce_on_2units.py": [(5, 'KL101')],
    "g06_kl_div_unclipped.py": [(3, 'KL401'), (3, 'KL402')],
    "g07_rmse_sqrt.py": [(3, 'KL403')],
    "g08_mape_div.py": [(3, 'KL402')],
    "g09_labels_fit_generator_255.py": [(7, 'KL201')],
    "g10_softmax_bce_subclassed.py": [(6, 'KL103')],
    "g11_raw_pixels_functional.py": [(9, 'KL501')],
    "g12_binary_labels_1_2.py": [(8, 'KL201')],
    "g13_tf1_log_sigmoid_rl.py": [(7, 'KL401'), (7, 'KL401')],
    "g14_keras3_train_step_log.py": [(5, 'KL401')],
    "h01_imagegen_no_rescale.py": [(8, 'KL501')],
    "h02_image_dataset_from_directory.py": [(9, 'KL501')],
    "h03_cv2_images.py": [(10, 'KL501')],
    "h04_sgd_huge.py": [(3, 'KL303')],
    "h05_rmsprop_lr1.py": [(5, 'KL303')],
    "h06_tf1_gd_huge.py": [(8, 'KL303')],
    "h07_adam_string_lr_tape.py": [(3, 'KL303')],
    "h08_onehot_to_bce_labels_255.py": [(11, 'KL201')],
    "h09_minmax_targets_tanh.py": [(5, 'KL106')],
    "h10_scaler_labels_bce.py": [(6, 'KL201')],
    "h11_keras3_ops_sqrt.py": [(4, 'KL403')],
    "h12_linear_sparse_cce_model_add.py": [(5, 'KL102')],
    "h13_one_hot_sparse_bce.py": [(4, 'KL101')],
    "h14_pixels_from_pil.py": [(8, 'KL501')],
    "h15_append_loop.py": [(16, 'KL501')],
    "i01_adam_neg.py": [(3, 'KL303')],
    "i02_tf1_adam_big.py": [(7, 'KL303')],
    "i03_lstm_sgd_momentum.py": [(3, 'KL301')],
    "i04_keras3_adam_positional.py": [(3, 'KL303')],
    "j01_labels_pm1_where.py": [(7, 'KL201')],
    "j02_standardised_targets_sigmoid_mse.py": [(6, 'KL106')],
    "j03_softmax_one_unit_cce.py": [(6, 'KL103')],
    "j04_tanh_targets_255.py": [(7, 'KL106')],
    "j05_sparse_labels_sklearn_onehot.py": [(6, 'KL111')],
    "k01_x_test_only_scaled.py": [(6, 'KL501')],
    "k02_tabular_unscaled.py": [(7, 'KL501')],
    "k03_generator_flow_no_rescale.py": [(9, 'KL501')],
}


def test_every_program_has_an_expectation():
    assert sorted(EXPECTED) == sorted(p.name for p in DATA.glob("*.py"))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_faulty_program(name):
    assert codes_and_lines(DATA / name) == EXPECTED[name]


FOCAL = """\
import tensorflow as tf
from tensorflow import keras

def focal_loss(gamma=2.0, alpha=0.25):
    def loss(y_true, y_pred):
        epsilon = keras.backend.epsilon()
        y_pred = tf.clip_by_value(y_pred, epsilon, 1.0 - epsilon)
        p_t = y_true * y_pred + (1 - y_true) * (1 - y_pred)
        return tf.reduce_mean(-tf.pow(1.0 - p_t, gamma) * tf.math.log(p_t))
    return loss

model = keras.Sequential([keras.Input((32,)), keras.layers.Dense(1, activation="sigmoid")])
model.compile(optimizer="adam", loss=focal_loss())
"""


def test_focal_loss_on_a_clipped_prediction_is_silent():
    """p_t = y*p + (1-y)*(1-p) with p clipped to [eps, 1-eps] and labels y in [0, 1] is a convex combination:
    p_t >= eps, so log(p_t) is guarded."""
    assert [d.code for d in findings(FOCAL.encode(), "focal.py")] == []
