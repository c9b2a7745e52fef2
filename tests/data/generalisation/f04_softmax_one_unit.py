from keras.models import Sequential
from keras.layers import Dense
model = Sequential()
model.add(Dense(12, input_dim=8, activation='relu'))
model.add(Dense(1, activation='softmax'))  # BUG
model.compile(loss='binary_crossentropy', optimizer='adam', metrics=['accuracy'])
