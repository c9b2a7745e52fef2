import keras
from keras import ops


def tversky_loss(alpha=0.7, smooth=1e-10):  # BUG (the constant, where it is set)
    def loss(y_true, y_pred):
        tp = ops.sum(y_true * y_pred)
        fn = ops.sum(y_true * (1 - y_pred))
        fp = ops.sum((1 - y_true) * y_pred)
        return 1 - (tp + smooth) / (tp + alpha * fn + (1 - alpha) * fp + smooth)  # BUG
    return loss


model = keras.Sequential([keras.Input((128, 128, 1)), keras.layers.Conv2D(1, 1, activation="sigmoid")])
model.compile(optimizer="adam", loss=tversky_loss())
