import keras
from keras import ops


def bce(y_true, y_pred):
    pos = ops.multiply(y_true, ops.log(ops.add(y_pred, 1e-7)))
    neg = ops.multiply(ops.subtract(1.0, y_true), ops.log(ops.add(ops.subtract(1.0, y_pred), 1e-7)))
    return ops.mean(ops.add(pos, neg))  # BUG


model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(1, activation="sigmoid")])
model.compile(optimizer="adam", loss=bce)
