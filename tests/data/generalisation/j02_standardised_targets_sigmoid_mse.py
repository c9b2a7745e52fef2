import numpy as np
from tensorflow import keras
X = np.random.rand(200, 6)
y = X.sum(axis=1) * 10
y = (y - y.mean()) / y.std()
model = keras.Sequential([keras.Input((6,)), keras.layers.Dense(1, activation="sigmoid")])  # BUG
model.compile(optimizer="adam", loss="mse")
model.fit(X, y, epochs=5)
