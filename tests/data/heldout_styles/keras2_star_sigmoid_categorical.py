# -*- coding: utf-8 -*-
# cifar10 classifier, adapted from some blog post
from keras.models import Sequential
from keras.layers import *
from keras.datasets import cifar10
from keras.utils import np_utils
from keras.optimizers import Adam

(X_train, y_train), (X_test, y_test) = cifar10.load_data()
X_train = X_train.astype('float32') / 255
X_test = X_test.astype('float32') / 255
Y_train = np_utils.to_categorical(y_train, 10)
Y_test = np_utils.to_categorical(y_test, 10)

model = Sequential()
model.add(Conv2D(32, (3, 3), padding='same', input_shape=X_train.shape[1:]))
model.add(Activation('relu'))
model.add(MaxPooling2D(pool_size=(2, 2)))
model.add(Dropout(0.25))
model.add(Flatten())
model.add(Dense(512))
model.add(Activation('relu'))
model.add(Dense(10))
model.add(Activation('sigmoid'))  # BUG (the other end of the pair)

model.compile(loss='categorical_crossentropy',  # BUG
              optimizer=Adam(lr=0.0001),
              metrics=['accuracy'])
model.fit(X_train, Y_train, batch_size=32, epochs=20, validation_data=(X_test, Y_test))
