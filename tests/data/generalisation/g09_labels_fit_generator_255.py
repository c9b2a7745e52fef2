import numpy as np
from tensorflow import keras
(x, y), _ = keras.datasets.cifar100.load_data()
x = x / 255.0
model = keras.Sequential([keras.layers.Flatten(input_shape=(32, 32, 3)), keras.layers.Dense(10, activation="softmax")])  # BUG: 100 classes
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
model.fit(x, y, epochs=3)
