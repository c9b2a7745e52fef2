"""A trainer object that owns the model and the loss (a common research-code layout)."""
import tensorflow as tf


def build_model(num_classes):
    return tf.keras.Sequential([
        tf.keras.layers.Flatten(input_shape=(28, 28)),
        tf.keras.layers.Dense(256, activation="relu"),
        tf.keras.layers.Dense(num_classes, activation="softmax"),  # BUG: softmax, then from_logits=True
    ])


class Trainer:
    def __init__(self, num_classes=10, lr=1e-3):
        self.model = build_model(num_classes)
        self.loss_fn = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)
        self.optimizer = tf.keras.optimizers.Adam(lr)

    @tf.function
    def train_step(self, x, y):
        with tf.GradientTape() as tape:
            logits = self.model(x, training=True)
            loss = self.loss_fn(y, logits)
        grads = tape.gradient(loss, self.model.trainable_variables)
        self.optimizer.apply_gradients(zip(grads, self.model.trainable_variables))
        return loss


trainer = Trainer()
for x, y in dataset:
    trainer.train_step(x, y)
