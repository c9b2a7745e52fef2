import numpy as np
from tensorflow import keras
X = np.random.rand(200, 6)
y = np.where(X[:, 0] > 0.5, 1, -1)  # BUG
model = keras.Sequential([keras.Input((6,)), keras.layers.Dense(1, activation="sigmoid")])
model.compile(optimizer="adam", loss="binary_crossentropy")
model.fit(X, y, epochs=5)
