import tensorflow as tf
def normalized_mse(y_true, y_pred):
    y_pred = y_pred / tf.reduce_sum(y_pred, axis=-1, keepdims=True)  # BUG
    return tf.reduce_mean(tf.square(y_true - y_pred))
model = tf.keras.Sequential([tf.keras.layers.Dense(8, activation="relu", input_shape=(4,)),
                             tf.keras.layers.Dense(3, activation="relu")])
model.compile(optimizer="adam", loss=normalized_mse)
