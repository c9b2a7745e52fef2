import tensorflow as tf


class Regressor(tf.keras.Model):
    def train_step(self, data):
        x, y = data
        with tf.GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = tf.reduce_mean(tf.square(y - y_pred)) ** 0.5  # BUG
        gradients = tape.gradient(loss, self.trainable_variables)
        self.optimizer.apply_gradients(zip(gradients, self.trainable_variables))
        return {"rmse": loss}


inputs = tf.keras.Input((13,))
outputs = tf.keras.layers.Dense(1)(tf.keras.layers.Dense(64, activation="relu")(inputs))
model = Regressor(inputs, outputs)
model.compile(optimizer="adam")
