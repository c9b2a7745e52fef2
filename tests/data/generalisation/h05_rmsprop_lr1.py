from keras.models import Sequential
from keras.layers import Dense
from keras.optimizers import RMSprop
model = Sequential([Dense(32, activation='relu', input_dim=8), Dense(1)])
model.compile(loss='mse', optimizer=RMSprop(lr=0.5))  # BUG
