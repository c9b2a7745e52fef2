import keras
from keras import ops


def whitened_error(y_true, y_pred):
    mean, variance = y_pred[..., :1], ops.relu(y_pred[..., 1:])
    return ops.mean(ops.square(y_true - mean) * ops.rsqrt(variance))  # BUG


model = keras.Sequential([keras.Input((6,)), keras.layers.Dense(32, activation="relu"), keras.layers.Dense(2)])
model.compile(optimizer=keras.optimizers.Adam(1e-3), loss=whitened_error)
