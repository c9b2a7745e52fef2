import keras
from keras import ops


def iou_loss(smooth=1e-9):  # BUG
    def loss(y_true, y_pred):
        intersection = ops.sum(y_true * y_pred, axis=(1, 2))
        union = ops.sum(y_true + y_pred, axis=(1, 2)) - intersection
        return 1.0 - ops.mean((intersection + smooth) / (union + smooth))
    return loss


inputs = keras.Input((96, 96, 3))
x = keras.layers.Conv2D(8, 3, padding="same", activation="relu")(inputs)
mask = keras.layers.Conv2D(1, 1, activation="sigmoid")(x)
model = keras.Model(inputs, mask)
model.compile(optimizer="adam", loss=iou_loss())
