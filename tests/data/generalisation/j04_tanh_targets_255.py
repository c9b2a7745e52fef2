import numpy as np
from tensorflow import keras
(x_train, _), _ = keras.datasets.mnist.load_data()
x_in = x_train.reshape(-1, 784) / 255.0
inp = keras.Input((784,))
h = keras.layers.Dense(32, activation="relu")(inp)
out = keras.layers.Dense(784, activation="sigmoid")(h)
ae = keras.Model(inp, out)
ae.compile(optimizer="adam", loss="mse")
ae.fit(x_in, x_train.reshape(-1, 784), epochs=5)  # BUG: targets 0..255
