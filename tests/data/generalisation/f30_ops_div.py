import keras
from keras import ops
def iou_loss(y_true, y_pred):
    inter = ops.sum(y_true * y_pred, axis=(1, 2))
    union = ops.sum(y_true + y_pred, axis=(1, 2)) - inter
    return 1.0 - ops.mean(inter / union)  # BUG
inp = keras.Input((64, 64, 1))
out = keras.layers.Conv2D(1, 1, activation="sigmoid")(inp)
model = keras.Model(inp, out)
model.compile(optimizer="adam", loss=iou_loss)
