import tensorflow as tf


def binary_focal_loss(gamma=2.0, alpha=0.25):
    def focal(y_true, y_pred):
        p_t = y_true * y_pred + (1.0 - y_true) * (1.0 - y_pred)
        alpha_t = y_true * alpha + (1.0 - y_true) * (1.0 - alpha)
        return tf.reduce_mean(-alpha_t * tf.pow(1.0 - p_t, gamma) * tf.math.log(p_t))  # BUG
    return focal


model = tf.keras.Sequential([tf.keras.Input((16,)), tf.keras.layers.Dense(1, activation="sigmoid")])
model.compile(optimizer="adam", loss=binary_focal_loss(gamma=2.0))
