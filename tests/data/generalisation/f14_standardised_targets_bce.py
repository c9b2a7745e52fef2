import numpy as np
from tensorflow import keras
X = np.random.rand(500, 10)
y = np.random.randint(0, 2, size=(500, 1)).astype("float32")
y = (y - y.mean()) / y.std()  # BUG
model = keras.Sequential([keras.layers.Dense(16, activation="relu", input_shape=(10,)),
                          keras.layers.Dense(1, activation="sigmoid")])
model.compile(optimizer="adam", loss="binary_crossentropy")
model.fit(X, y, epochs=20)
