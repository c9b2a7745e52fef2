from tensorflow import keras
from tensorflow.keras import layers
(x_train, y_train), _ = keras.datasets.cifar10.load_data()
model = keras.Sequential([
    layers.Conv2D(32, 3, activation="relu", input_shape=(32, 32, 3)),
    layers.Flatten(),
    layers.Dense(10, activation="softmax"),
])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
model.fit(x_train, y_train, epochs=10)  # BUG: pixels 0..255
