from keras.models import Sequential
from keras.layers import Dense
model = Sequential()
model.add(Dense(32, activation='relu', input_dim=8))
model.add(Dense(2, activation='sigmoid'))  # BUG
model.compile(loss='categorical_crossentropy', optimizer='adam', metrics=['accuracy'])
