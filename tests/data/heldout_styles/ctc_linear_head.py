# OCR captcha, CRNN + CTC
from keras import backend as K
from keras.layers import Input, Conv2D, MaxPooling2D, Reshape, Bidirectional, LSTM, Dense, Lambda
from keras.models import Model

img_w, img_h = 128, 64
n_chars = 37
max_len = 8


def ctc_lambda_func(args):
    y_pred, labels, input_length, label_length = args
    return K.ctc_batch_cost(labels, y_pred, input_length, label_length)  # BUG (the other end of the pair)


inputs = Input(name='the_input', shape=(img_w, img_h, 1))
x = Conv2D(32, (3, 3), padding='same', activation='relu')(inputs)
x = MaxPooling2D(pool_size=(2, 2))(x)
x = Reshape(target_shape=(img_w // 2, (img_h // 2) * 32))(x)
x = Bidirectional(LSTM(128, return_sequences=True))(x)
y_pred = Dense(n_chars + 1, name='dense2')(x)  # BUG

labels = Input(name='the_labels', shape=[max_len], dtype='float32')
input_length = Input(name='input_length', shape=[1], dtype='int64')
label_length = Input(name='label_length', shape=[1], dtype='int64')
loss_out = Lambda(ctc_lambda_func, output_shape=(1,), name='ctc')([y_pred, labels, input_length, label_length])

model = Model(inputs=[inputs, labels, input_length, label_length], outputs=loss_out)
model.compile(loss={'ctc': lambda y_true, y_pred: y_pred}, optimizer='adam')
