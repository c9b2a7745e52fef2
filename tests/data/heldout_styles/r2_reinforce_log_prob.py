import numpy as np
import tensorflow as tf

n_actions = 2
policy = tf.keras.Sequential([
    tf.keras.layers.Dense(24, activation="relu", input_shape=(4,)),
    tf.keras.layers.Dense(n_actions, activation="softmax"),
])
optimizer = tf.keras.optimizers.Adam(0.01)


def update(states, actions, returns):
    with tf.GradientTape() as tape:
        probs = policy(states)
        action_probs = tf.reduce_sum(probs * tf.one_hot(actions, n_actions), axis=1)
        loss = -tf.reduce_mean(tf.math.log(action_probs) * returns)  # BUG
    grads = tape.gradient(loss, policy.trainable_variables)
    optimizer.apply_gradients(zip(grads, policy.trainable_variables))
