import keras
from keras import layers, ops


class Sampling(layers.Layer):
    def call(self, inputs):
        z_mean, z_log_var = inputs
        epsilon = keras.random.normal(ops.shape(z_mean))
        return z_mean + ops.exp(0.5 * z_log_var) * epsilon


class VAELoss(layers.Layer):
    def call(self, inputs):
        x, x_hat, z_mean, z_log_var = inputs
        reconstruction = -ops.sum(x * ops.log(x_hat) + (1 - x) * ops.log(1 - x_hat), axis=-1)  # BUG
        kl = -0.5 * ops.sum(1 + z_log_var - ops.square(z_mean) - ops.exp(z_log_var), axis=-1)
        self.add_loss(ops.mean(reconstruction + kl))
        return x_hat


inputs = keras.Input((784,))
h = layers.Dense(256, activation="relu")(inputs)
z_mean = layers.Dense(2)(h)
z_log_var = layers.Dense(2)(h)
z = Sampling()([z_mean, z_log_var])
x_hat = layers.Dense(784, activation="sigmoid")(layers.Dense(256, activation="relu")(z))
outputs = VAELoss()([inputs, x_hat, z_mean, z_log_var])
vae = keras.Model(inputs, outputs)
vae.compile(optimizer="adam")
