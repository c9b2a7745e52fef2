import keras
from keras import layers, ops


def log_intensity(t):
    return ops.log(t)  # BUG


inputs = keras.Input((64,))
rates = layers.Dense(8, activation="relu")(inputs)
outputs = layers.Dense(1)(layers.Lambda(log_intensity)(rates))
model = keras.Model(inputs, outputs)
model.compile(optimizer="adam", loss="mse")
