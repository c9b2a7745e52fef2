import numpy as np
from keras.models import Sequential
from keras.layers import Dense
X = np.random.rand(100, 5)
Y = np.random.randint(1, 3, size=(100, 1))  # BUG: labels 1, 2
model = Sequential([Dense(8, activation='relu', input_dim=5), Dense(1, activation='sigmoid')])
model.compile(optimizer='adam', loss='binary_crossentropy')
model.fit(X, Y, epochs=10)
