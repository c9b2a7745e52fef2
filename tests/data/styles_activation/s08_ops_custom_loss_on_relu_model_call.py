"""Keras 3 custom loop, the crossentropy written with keras.ops on the model's output."""
import keras
from keras import layers, ops

model = keras.Sequential([
    keras.Input(shape=(32,)),
    layers.Dense(64, activation="relu"),
    layers.Dense(8, activation="relu"),
])


def crossentropy(y_true, y_prob):
    return -ops.mean(ops.sum(y_true * ops.log(y_prob), axis=-1))  # BUG: log of a relu output


def train_step(x, y, optimizer):
    import tensorflow as tf
    with tf.GradientTape() as tape:
        y_prob = model(x, training=True)
        loss = crossentropy(y, y_prob)
    grads = tape.gradient(loss, model.trainable_weights)
    optimizer.apply_gradients(zip(grads, model.trainable_weights))
    return loss
