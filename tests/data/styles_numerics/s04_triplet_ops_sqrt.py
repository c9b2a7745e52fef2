import keras
from keras import ops


def triplet_loss(y_true, y_pred, margin=0.5):
    anchor, positive, negative = ops.split(y_pred, 3, axis=-1)
    d_pos = ops.sqrt(ops.sum(ops.square(anchor - positive), axis=-1))  # BUG
    d_neg = ops.sqrt(ops.sum(ops.square(anchor - negative), axis=-1))  # BUG
    return ops.mean(ops.maximum(d_pos - d_neg + margin, 0.0))


embed = keras.Sequential([keras.layers.Dense(64, activation="relu"), keras.layers.Dense(32)])
a, p, n = keras.Input((128,)), keras.Input((128,)), keras.Input((128,))
merged = keras.layers.Concatenate()([embed(a), embed(p), embed(n)])
model = keras.Model([a, p, n], merged)
model.compile(optimizer="adam", loss=triplet_loss)
