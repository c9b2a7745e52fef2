import tensorflow as tf

generator = tf.keras.Sequential([tf.keras.layers.Dense(128, activation="relu"), tf.keras.layers.Dense(784, activation="tanh")])
discriminator = tf.keras.Sequential([tf.keras.layers.Dense(128, activation="relu"), tf.keras.layers.Dense(1, activation="sigmoid")])
g_optimizer = tf.keras.optimizers.Adam(2e-4)


@tf.function
def generator_step(noise):
    with tf.GradientTape() as tape:
        fake_scores = discriminator(generator(noise, training=True), training=False)
        g_loss = -tf.reduce_mean(tf.math.log(fake_scores))  # BUG
    grads = tape.gradient(g_loss, generator.trainable_variables)
    g_optimizer.apply_gradients(zip(grads, generator.trainable_variables))
