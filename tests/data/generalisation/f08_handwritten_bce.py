import tensorflow as tf
from tensorflow import keras
def my_bce(y_true, y_pred):
    return -tf.reduce_mean(y_true * tf.math.log(y_pred) + (1 - y_true) * tf.math.log(1 - y_pred))  # BUG
model = keras.Sequential([keras.layers.Dense(16, activation="relu", input_shape=(10,)),
                          keras.layers.Dense(1, activation="sigmoid")])
model.compile(optimizer="adam", loss=my_bce)
