import tensorflow as tf

scale_net = tf.keras.Sequential([tf.keras.layers.Dense(16, activation="relu"), tf.keras.layers.Dense(1, activation="relu")])
optimizer = tf.keras.optimizers.Adam()


def step(x, y):
    with tf.GradientTape() as tape:
        scale = scale_net(x)
        loss = tf.reduce_mean(tf.abs(y) * tf.math.reciprocal(scale) + tf.math.log1p(scale))  # BUG
    grads = tape.gradient(loss, scale_net.trainable_variables)
    optimizer.apply_gradients(zip(grads, scale_net.trainable_variables))
