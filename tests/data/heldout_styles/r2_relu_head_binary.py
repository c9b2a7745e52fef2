from keras.models import Sequential
from keras.layers import Dense, Dropout
import pandas as pd

data = pd.read_csv('diabetes.csv')
X, y = data.iloc[:, :8].values, data.iloc[:, 8].values

model = Sequential()
model.add(Dense(12, input_dim=8, activation='relu'))
model.add(Dense(8, activation='relu'))
model.add(Dense(1, activation='relu'))  # BUG
model.compile(loss='binary_crossentropy', optimizer='adam', metrics=['accuracy'])
model.fit(X, y, epochs=150, batch_size=10)
