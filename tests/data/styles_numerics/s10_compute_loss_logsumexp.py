import keras
from keras import ops


class Classifier(keras.Model):
    def __init__(self):
        super().__init__()
        self.hidden = keras.layers.Dense(64, activation="relu")
        self.logits = keras.layers.Dense(10)

    def call(self, x):
        return self.logits(self.hidden(x))

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None):
        log_normalizer = ops.log(ops.sum(ops.exp(y_pred), axis=-1))  # BUG
        picked = ops.sum(y * y_pred, axis=-1)
        return ops.mean(log_normalizer - picked)


model = Classifier()
model.compile(optimizer="adam")
