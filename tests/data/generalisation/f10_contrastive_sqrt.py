import tensorflow as tf
from tensorflow import keras
def euclidean_distance(vects):
    x, y = vects
    return tf.sqrt(tf.reduce_sum(tf.square(x - y), axis=1, keepdims=True))  # BUG: the Lambda below puts this sqrt on the gradient path
def contrastive_loss(y_true, y_pred):
    margin = 1.0
    return tf.reduce_mean(y_true * tf.square(y_pred) + (1 - y_true) * tf.square(tf.maximum(margin - y_pred, 0)))
def triplet(anchor, positive, negative):  # never used: no gradient path, no finding
    d_pos = tf.sqrt(tf.reduce_sum(tf.square(anchor - positive), -1))
    d_neg = tf.sqrt(tf.reduce_sum(tf.square(anchor - negative), -1))
    return tf.reduce_mean(tf.maximum(0.2 + d_pos - d_neg, 0.0))
a = keras.Input((16,))
b = keras.Input((16,))
tower = keras.Sequential([keras.layers.Dense(8, activation="relu")])
dist = keras.layers.Lambda(euclidean_distance)([tower(a), tower(b)])
model = keras.Model([a, b], dist)
model.compile(loss=contrastive_loss, optimizer="adam")
