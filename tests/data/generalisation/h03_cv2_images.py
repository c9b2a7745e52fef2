import cv2
import numpy as np
from keras.models import Sequential
from keras.layers import Dense, Flatten
paths = ["a.png", "b.png"]
X = np.array([cv2.resize(cv2.imread(p), (64, 64)) for p in paths])  # BUG: 0..255
y = np.array([0, 1])
model = Sequential([Flatten(input_shape=(64, 64, 3)), Dense(64, activation='relu'), Dense(1, activation='sigmoid')])
model.compile(optimizer='adam', loss='binary_crossentropy')
model.fit(X, y, epochs=10)
