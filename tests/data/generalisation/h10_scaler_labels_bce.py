import numpy as np
from sklearn.preprocessing import StandardScaler
from tensorflow import keras
X = np.random.rand(100, 4)
y = np.random.randint(0, 2, size=(100, 1))
y = StandardScaler().fit_transform(y)  # BUG
model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1, activation="sigmoid")])
model.compile(optimizer="adam", loss="binary_crossentropy")
model.fit(X, y, epochs=5)
