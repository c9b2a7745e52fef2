import functools
import numpy as np
import keras.backend as K
from keras.models import Sequential
from keras.layers import Dense, Dropout

# class weights computed from the training set (imbalanced)
class_weights = np.array([0.2, 1.0, 3.5, 5.0], dtype="float32")


def weighted_categorical_crossentropy(y_true, y_pred, weights):
    y_pred /= K.sum(y_pred, axis=-1, keepdims=True)
    loss = y_true * K.log(y_pred) * weights  # BUG
    return -K.sum(loss, -1)


wcce = functools.partial(weighted_categorical_crossentropy, weights=K.constant(class_weights))
wcce.__name__ = "wcce"

model = Sequential()
model.add(Dense(128, input_dim=40, activation="relu"))
model.add(Dropout(0.5))
model.add(Dense(4, activation="softmax"))
model.compile(loss=wcce, optimizer="rmsprop", metrics=["accuracy"])
