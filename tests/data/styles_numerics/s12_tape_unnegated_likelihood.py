import tensorflow as tf

policy = tf.keras.Sequential([tf.keras.layers.Dense(32, activation="tanh"),
                              tf.keras.layers.Dense(4, activation="softmax")])
optimizer = tf.keras.optimizers.Adam(1e-3)


def fit_demonstrations(states, actions_onehot):
    with tf.GradientTape() as tape:
        probs = tf.clip_by_value(policy(states), 1e-6, 1.0)
        log_likelihood = tf.reduce_mean(tf.reduce_sum(actions_onehot * tf.math.log(probs), axis=1))  # BUG
    grads = tape.gradient(log_likelihood, policy.trainable_variables)
    optimizer.apply_gradients(zip(grads, policy.trainable_variables))
