import keras
from keras import ops


def soft_precision_loss(y_true, y_pred):
    true_positives = ops.sum(y_true * y_pred)
    predicted_positives = ops.sum(y_pred)
    return 1.0 - ops.divide(true_positives, predicted_positives)  # BUG


model = keras.Sequential([keras.Input((10,)), keras.layers.Dense(1, activation="sigmoid")])
model.compile(optimizer="adam", loss=soft_precision_loss, metrics=["accuracy"])
