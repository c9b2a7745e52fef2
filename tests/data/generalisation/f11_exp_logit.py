import tensorflow as tf
def poisson_nll(y_true, y_pred):
    rate = tf.exp(y_pred)  # BUG
    return tf.reduce_mean(rate - y_true * y_pred)
model = tf.keras.Sequential([tf.keras.layers.Dense(32, activation="relu", input_shape=(8,)),
                             tf.keras.layers.Dense(1)])
model.compile(optimizer="adam", loss=poisson_nll)
