import numpy as np
from tensorflow import keras
y = np.random.randint(0, 3, 150)
Y = keras.utils.to_categorical(y, 3)
model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="softmax")])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")  # BUG: one-hot targets
model.fit(np.random.rand(150, 4), Y, epochs=5)
