import tensorflow as tf
class Classifier(tf.keras.Model):
    def __init__(self):
        super().__init__()
        self.hidden = tf.keras.layers.Dense(64, activation="relu")
        self.out = tf.keras.layers.Dense(10, activation="relu")  # BUG
    def call(self, x):
        return self.out(self.hidden(x))
model = Classifier()
model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
