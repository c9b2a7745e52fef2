import tensorflow as tf


class DistillModel(tf.keras.Model):
    def train_step(self, data):
        x, y = data
        with tf.GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.compiled_loss(y, y_pred, regularization_losses=self.losses)
        trainable_vars = self.trainable_variables
        gradients = tape.gradient(loss, trainable_vars)
        self.optimizer.apply_gradients(zip(gradients, trainable_vars))
        self.compiled_metrics.update_state(y, y_pred)
        return {m.name: m.result() for m in self.metrics}


inputs = tf.keras.Input(shape=(784,))
h = tf.keras.layers.Dense(256, activation="relu")(inputs)
outputs = tf.keras.layers.Dense(10)(h)  # BUG (the other end of the pair)
student = DistillModel(inputs, outputs)
student.compile(optimizer="adam", loss=tf.keras.losses.KLDivergence())  # BUG
