import keras
from keras import ops, layers
def cce(y_true, y_pred):
    return -ops.sum(y_true * ops.log(y_pred), axis=-1)  # BUG
inputs = keras.Input((20,))
outputs = layers.Dense(5, activation="softmax")(inputs)
model = keras.Model(inputs, outputs)
model.compile(optimizer="adam", loss=cce)
