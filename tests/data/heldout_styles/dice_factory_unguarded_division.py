from keras import backend as K
from keras.models import Model
from keras.layers import Input, Conv2D, MaxPooling2D, UpSampling2D, concatenate


def make_dice_loss(axis=(1, 2, 3)):
    def dice_coef(y_true, y_pred):
        intersection = K.sum(y_true * y_pred, axis=axis)
        union = K.sum(y_true, axis=axis) + K.sum(y_pred, axis=axis)
        return K.mean(2. * intersection / union)  # BUG

    def dice_loss(y_true, y_pred):
        return 1 - dice_coef(y_true, y_pred)
    return dice_loss


def unet(size=128):
    inputs = Input((size, size, 1))
    c1 = Conv2D(16, 3, activation='relu', padding='same')(inputs)
    p1 = MaxPooling2D()(c1)
    c2 = Conv2D(32, 3, activation='relu', padding='same')(p1)
    u1 = UpSampling2D()(c2)
    m1 = concatenate([u1, c1])
    c3 = Conv2D(16, 3, activation='relu', padding='same')(m1)
    outputs = Conv2D(1, 1, activation='sigmoid')(c3)
    return Model(inputs, outputs)


model = unet()
model.compile(optimizer='adam', loss=make_dice_loss())
