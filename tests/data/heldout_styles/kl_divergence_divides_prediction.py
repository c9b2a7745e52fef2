# label distribution learning (age estimation), targets are gaussian label distributions
from keras import backend as K
from keras.layers import Input, Dense, GlobalAveragePooling2D
from keras.models import Model
from keras.applications.vgg16 import VGG16


def kl_loss(y_true, y_pred):
    y_true = K.clip(y_true, K.epsilon(), 1)
    return K.sum(y_true * K.log(y_true / y_pred), axis=-1)  # BUG


base = VGG16(include_top=False, input_shape=(224, 224, 3))
x = GlobalAveragePooling2D()(base.output)
x = Dense(101, activation='softmax')(x)
model = Model(base.input, x)
model.compile(optimizer='sgd', loss=kl_loss, metrics=['mae'])
