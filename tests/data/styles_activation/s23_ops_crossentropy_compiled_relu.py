"""Keras 3: a crossentropy written with keras.ops, compiled on a relu output."""
import keras
from keras import ops


def crossentropy(y_true, y_pred):
    y_pred = ops.clip(y_pred, 1e-7, 1.0)
    return -ops.mean(ops.sum(y_true * ops.log(y_pred), axis=-1))


model = keras.Sequential([
    keras.Input(shape=(64,)),
    keras.layers.Dense(128, activation="relu"),
    keras.layers.Dense(10, activation="relu"),  # BUG: relu outputs are not a distribution
])
model.compile(optimizer="adam", loss=crossentropy, metrics=["accuracy"])
model.fit(x_train, y_onehot, epochs=10)
