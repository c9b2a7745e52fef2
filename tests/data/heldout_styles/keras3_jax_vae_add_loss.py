import os
os.environ["KERAS_BACKEND"] = "jax"

import keras
from keras import layers, ops

latent_dim = 2


class Sampling(layers.Layer):
    def __init__(self, **kw):
        super().__init__(**kw)
        self.seed = keras.random.SeedGenerator(1337)

    def call(self, inputs):
        z_mean, z_log_var = inputs
        eps = keras.random.normal(ops.shape(z_mean), seed=self.seed)
        return z_mean + ops.exp(0.5 * z_log_var) * eps


class VAELoss(layers.Layer):
    def call(self, x, x_hat, z_mean, z_log_var):
        rec = -ops.sum(x * ops.log(x_hat) + (1 - x) * ops.log(1 - x_hat), axis=-1)  # BUG
        kl = -0.5 * ops.sum(1 + z_log_var - ops.square(z_mean) - ops.exp(z_log_var), axis=-1)
        self.add_loss(ops.mean(rec + kl))
        return x_hat


x_in = keras.Input(shape=(784,))
h = layers.Dense(256, activation="relu")(x_in)
z_mean = layers.Dense(latent_dim)(h)
z_log_var = layers.Dense(latent_dim)(h)
z = Sampling()([z_mean, z_log_var])
h_dec = layers.Dense(256, activation="relu")(z)
x_hat = layers.Dense(784, activation="sigmoid")(h_dec)
out = VAELoss()(x_in, x_hat, z_mean, z_log_var)

vae = keras.Model(x_in, out)
vae.compile(optimizer="adam")
