import numpy as np
from tensorflow import keras
x_train = np.random.rand(1000, 20).astype("float32")
y_train = np.random.randint(1, 11, size=(1000,))  # BUG
model = keras.Sequential([keras.layers.Dense(64, activation="relu", input_shape=(20,)),
                          keras.layers.Dense(10, activation="softmax")])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
model.fit(x_train, y_train, epochs=5)
