import tensorflow as tf
class WeightedCE(tf.keras.losses.Loss):
    def __init__(self, weights):
        super().__init__()
        self.weights = weights
    def call(self, y_true, y_pred):
        return -tf.reduce_sum(self.weights * y_true * tf.math.log(y_pred), axis=-1)  # BUG
model = tf.keras.Sequential([tf.keras.Input((8,)), tf.keras.layers.Dense(3, activation="softmax")])
model.compile(optimizer="adam", loss=WeightedCE([1.0, 2.0, 3.0]))
