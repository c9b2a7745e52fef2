"""Keras 3 with the JAX backend: a functional training step built on stateless_call."""
import os

os.environ["KERAS_BACKEND"] = "jax"
import jax
import keras

inputs = keras.Input(shape=(784,))
x = keras.layers.Dense(128, activation="relu")(inputs)
outputs = keras.layers.Dense(10)(x)
model = keras.Model(inputs, outputs)
loss_fn = keras.losses.CategoricalCrossentropy()
optimizer = keras.optimizers.Adam(1e-3)
optimizer.build(model.trainable_variables)


def compute_loss_and_updates(trainable_variables, non_trainable_variables, x, y):
    y_pred, non_trainable_variables = model.stateless_call(trainable_variables, non_trainable_variables, x, training=True)
    loss = loss_fn(y, y_pred)  # BUG: linear output, from_logits=False
    return loss, non_trainable_variables


grad_fn = jax.value_and_grad(compute_loss_and_updates, has_aux=True)
