import tensorflow as tf

encoder = tf.keras.Sequential([tf.keras.layers.Dense(16)])


def step(a, b, optimizer):
    with tf.GradientTape() as tape:
        za, zb = encoder(a), encoder(b)
        cosine = tf.reduce_sum(za * zb, axis=-1) / (tf.norm(za, axis=-1) * tf.norm(zb, axis=-1))  # BUG
        loss = tf.reduce_mean(1.0 - cosine)
    optimizer.apply_gradients(zip(tape.gradient(loss, encoder.trainable_variables), encoder.trainable_variables))
