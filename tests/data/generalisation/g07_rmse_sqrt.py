from keras import backend as K
def rmse(y_true, y_pred):
    return K.sqrt(K.mean(K.square(y_pred - y_true), axis=-1))  # BUG
from keras.models import Sequential
from keras.layers import Dense
model = Sequential([Dense(8, activation='relu', input_dim=4), Dense(1)])
model.compile(optimizer='adam', loss=rmse)
