"""Customizing fit() by overriding train_step, the loss object defined at module level."""
import tensorflow as tf
from tensorflow import keras

bce = keras.losses.BinaryCrossentropy(from_logits=True)
loss_tracker = keras.metrics.Mean(name="loss")


class CustomModel(keras.Model):
    def train_step(self, data):
        x, y = data
        with tf.GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = bce(y, y_pred)
        gradients = tape.gradient(loss, self.trainable_variables)
        self.optimizer.apply_gradients(zip(gradients, self.trainable_variables))
        loss_tracker.update_state(loss)
        return {"loss": loss_tracker.result()}

    @property
    def metrics(self):
        return [loss_tracker]


inputs = keras.Input(shape=(32,))
outputs = keras.layers.Dense(1, activation="sigmoid")(inputs)  # BUG: sigmoid output, the loss has from_logits=True
model = CustomModel(inputs, outputs)
model.compile(optimizer="adam")
model.fit(x, y, epochs=3)
