from functools import partial

import keras
from keras import ops


def weighted_log_loss(y_true, y_pred, weight=1.0):
    return -ops.mean(weight * y_true * ops.log(y_pred))  # BUG


model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(3, activation="softmax")])
model.compile(optimizer="adam", loss=partial(weighted_log_loss, weight=2.0))
