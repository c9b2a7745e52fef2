# Keras 2: binary sentiment classifier
from keras.models import Sequential
from keras.layers import Dense, Embedding, LSTM, Activation

model = Sequential()
model.add(Embedding(10000, 128))
model.add(LSTM(64))
model.add(Dense(1))
model.add(Activation('tanh'))  # BUG: tanh outputs in [-1, 1] for binary CE
model.compile(loss='binary_crossentropy', optimizer='adam', metrics=['accuracy'])
model.fit(x_train, y_train, batch_size=32, epochs=3, validation_data=(x_test, y_test))
