import tensorflow as tf
class Net(tf.keras.Model):
    def __init__(self):
        super().__init__()
        self.d1 = tf.keras.layers.Dense(32, activation="relu")
        self.d2 = tf.keras.layers.Dense(1, activation="softmax")  # BUG
    def call(self, x):
        return self.d2(self.d1(x))
model = Net()
model.compile(optimizer="adam", loss="binary_crossentropy")
