"""Keras 3: a model whose compute_loss applies a loss object it owns."""
import keras
from keras import layers


class Tagger(keras.Model):
    def __init__(self, tags=20, **kwargs):
        super().__init__(**kwargs)
        self.encoder = layers.Dense(64, activation="relu")
        self.tagger = layers.Dense(tags, activation="softmax")  # BUG: softmax, then from_logits=True
        self.loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)

    def call(self, inputs):
        return self.tagger(self.encoder(inputs))

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        return self.loss_fn(y, y_pred, sample_weight=sample_weight)


model = Tagger()
model.compile(optimizer="adam")
model.fit(x_train, y_train, epochs=4)
