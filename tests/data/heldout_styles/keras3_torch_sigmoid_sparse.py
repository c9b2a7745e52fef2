import os
os.environ["KERAS_BACKEND"] = "torch"

import numpy as np
import keras

num_classes = 7
params = dict(units=64, dropout=0.1, epochs=30)

inputs = keras.Input(shape=(48, 48, 1))
x = keras.layers.Conv2D(32, 3, activation="relu")(inputs)
x = keras.layers.GlobalAveragePooling2D()(x)
x = keras.layers.Dense(params["units"], activation="relu")(x)
x = keras.layers.Dropout(params["dropout"])(x)
outputs = keras.layers.Dense(num_classes, activation="sigmoid")(x)  # BUG (the other end of the pair)
model = keras.Model(inputs, outputs, name="fer")

model.compile(
    optimizer=keras.optimizers.AdamW(1e-3),
    loss="sparse_categorical_crossentropy",  # BUG
    metrics=["accuracy"],
)
X = np.zeros((10, 48, 48, 1), "float32")
y = np.zeros((10,), "int64")
model.fit(X, y, epochs=params["epochs"])
