import keras
from keras import ops


def poisson_log_rate(y_true, log_rate):
    return ops.mean(ops.exp(log_rate) - y_true * log_rate)  # BUG


model = keras.Sequential([keras.Input((12,)), keras.layers.Dense(32, activation="relu"), keras.layers.Dense(1)])
model.compile(optimizer="adam", loss=poisson_log_rate)
