import numpy as np
from tensorflow import keras
X = np.random.uniform(0, 5000, size=(300, 3))  # BUG: features in the thousands
y = np.random.randint(0, 2, 300)
model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(16, activation="relu"), keras.layers.Dense(1, activation="sigmoid")])
model.compile(optimizer="adam", loss="binary_crossentropy")
model.fit(X, y, epochs=10)
