# Keras 1/2 functional API with input=/output= keywords: a binary classifier
from keras.layers import Input, Dense, Dropout, Activation
from keras.models import Model

inp = Input(shape=(100,))
h = Dense(64, activation='relu')(inp)
h = Dropout(0.5)(h)
h = Dense(1)(h)
out = Activation('softmax')(h)  # BUG: softmax over one unit is always 1.0
model = Model(input=inp, output=out)
model.compile(loss='binary_crossentropy', optimizer='adam', metrics=['accuracy'])
model.fit(X, y, nb_epoch=10, batch_size=32)
