import numpy as np
from keras.models import Sequential
from keras.layers import Dense
X = np.random.rand(100, 4)
y = np.random.randint(0, 2, size=(100, 1))
model = Sequential([Dense(8, activation='relu', input_dim=4), Dense(1, activation='softmax')])  # BUG
model.compile(optimizer='adam', loss='categorical_crossentropy', metrics=['accuracy'])
model.fit(X, y, epochs=10)
