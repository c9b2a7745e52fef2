import tensorflow as tf
def kl(y_true, y_pred):
    return tf.reduce_sum(y_true * tf.math.log(y_true / y_pred), axis=-1)  # BUG
model = tf.keras.Sequential([tf.keras.Input((8,)), tf.keras.layers.Dense(4, activation="softmax")])
model.compile(optimizer="adam", loss=kl)
