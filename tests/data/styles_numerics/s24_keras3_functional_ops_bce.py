import keras
from keras import ops


def bce(y_true, y_pred):
    pos = ops.multiply(y_true, ops.log(y_pred))  # BUG
    neg = ops.multiply(ops.subtract(1.0, y_true), ops.log(ops.subtract(1.0, y_pred)))  # BUG
    return ops.negative(ops.mean(ops.add(pos, neg)))


model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(1, activation="sigmoid")])
model.compile(optimizer="adam", loss=bce)
