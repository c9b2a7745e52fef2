import keras
from keras import backend as K
from keras.layers import Dense, LSTM, Embedding
from keras.models import Sequential

VOCAB = 5000
SEQ = 40


def log_likelihood(y_true, y_pred):
    p = K.clip(y_pred, K.epsilon(), 1.0)
    return K.mean(K.sum(y_true * K.log(p), axis=-1))  # BUG


model = Sequential([
    Embedding(VOCAB, 100, input_length=SEQ),
    LSTM(256),
    Dense(VOCAB, activation='softmax'),
])
model.compile(loss=log_likelihood, optimizer=keras.optimizers.Adam(0.001))
