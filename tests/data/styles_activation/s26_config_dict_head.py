"""Hyper-parameters in a config dict, the head built from it."""
import tensorflow as tf

CONFIG = {"hidden": 256, "classes": 10, "head_activation": "relu", "lr": 1e-3}


def build(config):
    model = tf.keras.Sequential([
        tf.keras.layers.Dense(config["hidden"], activation="relu"),
        tf.keras.layers.Dense(config["classes"], activation=config["head_activation"]),  # BUG: relu head
    ])
    model.compile(optimizer=tf.keras.optimizers.Adam(config["lr"]), loss="categorical_crossentropy")
    return model


model = build(CONFIG)
model.fit(x_train, y_train, epochs=10)
