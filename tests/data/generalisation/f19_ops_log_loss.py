import keras
from keras import ops
def bce(y_true, y_pred):
    return -ops.mean(y_true * ops.log(y_pred) + (1 - y_true) * ops.log(1 - y_pred))  # BUG
inputs = keras.Input((10,))
outputs = keras.layers.Dense(1, activation="sigmoid")(inputs)
model = keras.Model(inputs, outputs)
model.compile(optimizer="adam", loss=bce)
