from keras import backend as K
from keras.models import Model
from keras.layers import Input, Conv2D
def dice_coef(y_true, y_pred):
    intersection = K.sum(y_true * y_pred)
    return 2. * intersection / (K.sum(y_true) + K.sum(y_pred))  # BUG
def dice_loss(y_true, y_pred):
    return 1 - dice_coef(y_true, y_pred)
inp = Input((64, 64, 1))
out = Conv2D(1, 1, activation='sigmoid')(inp)
model = Model(inp, out)
model.compile(optimizer='adam', loss=dice_loss)
