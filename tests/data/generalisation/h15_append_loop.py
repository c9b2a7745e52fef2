import os
import cv2
import numpy as np
from tensorflow import keras
images, labels = [], []
for name in os.listdir("data"):
    img = cv2.imread(os.path.join("data", name))
    img = cv2.resize(img, (64, 64))
    images.append(img)
    labels.append(0 if name.startswith("cat") else 1)
X = np.array(images)  # BUG: 0..255
y = np.array(labels)
model = keras.Sequential([keras.layers.Flatten(input_shape=(64, 64, 3)), keras.layers.Dense(64, activation="relu"),
                          keras.layers.Dense(1, activation="sigmoid")])
model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
model.fit(X, y, epochs=10)
