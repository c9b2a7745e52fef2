from keras.models import Sequential
from keras.layers import Dense
model = Sequential()
model.add(Dense(32, activation='relu', input_dim=16))
model.add(Dense(1, activation='tanh'))  # BUG
model.compile(loss='binary_crossentropy', optimizer='adam', metrics=['accuracy'])
