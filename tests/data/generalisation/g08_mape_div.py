import tensorflow as tf
def my_loss(y_true, y_pred):
    return tf.reduce_mean(tf.abs((y_true - y_pred) / y_pred))  # BUG
model = tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(1)])
model.compile(optimizer="adam", loss=my_loss)
