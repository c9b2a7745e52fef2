import numpy as np
import tensorflow as tf

K_MIX = 5


def mdn_loss(y_true, y_pred):
    pi, mu, sigma = tf.split(y_pred, 3, axis=-1)
    pi = tf.nn.softmax(pi)
    z = (y_true - mu) * tf.pow(sigma, -1)  # BUG
    normal = tf.exp(-0.5 * tf.square(z)) / (np.sqrt(2 * np.pi) * tf.abs(sigma) + 1e-6)
    return -tf.reduce_mean(tf.math.log(tf.reduce_sum(pi * normal, axis=-1) + 1e-6))


inp = tf.keras.Input((1,))
h = tf.keras.layers.Dense(32, activation="tanh")(inp)
out = tf.keras.layers.Dense(3 * K_MIX)(h)
model = tf.keras.Model(inp, out)
model.compile(optimizer="adam", loss=mdn_loss)
