"""train.py -- usage: python train.py --config configs/focal.yaml"""
import tensorflow as tf
import tensorflow.keras.backend as K

CONFIG = {
    "loss": "focal",
    "gamma": 2.0,
    "alpha": 0.25,
    "num_classes": 4,
    "lr": 3e-4,
}


def focal_loss(y_true, y_pred):
    gamma, alpha = CONFIG["gamma"], CONFIG["alpha"]
    ce = -y_true * K.log(y_pred)  # BUG
    weight = alpha * y_true * K.pow(1 - y_pred, gamma)
    return K.sum(weight * ce, axis=-1)


LOSSES = {
    "focal": focal_loss,
    "ce": "categorical_crossentropy",
}


def get_model(cfg):
    m = tf.keras.Sequential([
        tf.keras.layers.Dense(64, activation="relu", input_shape=(32,)),
        tf.keras.layers.Dense(cfg["num_classes"], activation="softmax"),
    ])
    m.compile(optimizer=tf.keras.optimizers.Adam(cfg["lr"]), loss=LOSSES[cfg["loss"]], metrics=["acc"])
    return m


model = get_model(CONFIG)
