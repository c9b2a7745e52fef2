import jax
import keras
from keras import ops

model = keras.Sequential([keras.layers.Dense(1, activation="sigmoid")])


def compute_loss_and_updates(trainable_variables, non_trainable_variables, x, y):
    y_pred, non_trainable_variables = model.stateless_call(trainable_variables, non_trainable_variables, x)
    loss = -ops.mean(y * ops.log(y_pred) + (1 - y) * ops.log(1 - y_pred))  # BUG
    return loss, non_trainable_variables


grad_fn = jax.value_and_grad(compute_loss_and_updates, has_aux=True)
