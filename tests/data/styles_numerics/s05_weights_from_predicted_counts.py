import tensorflow as tf


def balanced_crossentropy(y_true, y_pred):
    y_pred = tf.clip_by_value(y_pred, 1e-7, 1.0 - 1e-7)
    predicted_counts = tf.reduce_sum(tf.round(y_pred), axis=0)
    class_weights = 1.0 / predicted_counts  # BUG
    return -tf.reduce_mean(tf.reduce_sum(class_weights * y_true * tf.math.log(y_pred), axis=-1))


model = tf.keras.Sequential([tf.keras.Input((32,)), tf.keras.layers.Dense(5, activation="softmax")])
model.compile(optimizer="adam", loss=balanced_crossentropy)
