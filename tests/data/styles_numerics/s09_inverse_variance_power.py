import keras
from keras import ops


def inverse_variance_mse(y_true, y_pred):
    mean = y_pred[:, 0]
    variance = ops.abs(y_pred[:, 1])
    return ops.mean(ops.power(variance, -1.0) * ops.square(y_true[:, 0] - mean) + ops.log(variance + 1e-6))  # BUG


model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(32, activation="relu"), keras.layers.Dense(2)])
model.compile(optimizer="adam", loss=inverse_variance_mse)
