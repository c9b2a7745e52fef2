import keras.backend as K
from keras.models import Sequential
from keras.layers import Dense

# predict a normalised histogram (50 bins) from 12 features


def chi2_loss(y_true, y_pred):
    return K.sum(K.square(y_pred - y_true) * K.pow(y_pred, -1), axis=-1)  # BUG


model = Sequential()
model.add(Dense(64, activation='relu', input_shape=(12,)))
model.add(Dense(50, activation='softmax'))
model.compile(optimizer='adam', loss=chi2_loss)
