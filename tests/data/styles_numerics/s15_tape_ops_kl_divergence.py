import keras
import tensorflow as tf
from keras import ops

student = keras.Sequential([keras.layers.Dense(64, activation="relu"), keras.layers.Dense(10, activation="softmax")])
optimizer = keras.optimizers.Adam(1e-3)


def distill_step(images, soft_targets):
    with tf.GradientTape() as tape:
        probs = student(images, training=True)
        kl = ops.sum(soft_targets * ops.log(soft_targets / probs), axis=-1)  # BUG
        loss = ops.mean(kl)
    grads = tape.gradient(loss, student.trainable_variables)
    optimizer.apply_gradients(zip(grads, student.trainable_variables))
