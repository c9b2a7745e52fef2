import tensorflow as tf

embedder = tf.keras.Sequential([tf.keras.layers.Dense(128, activation="relu"), tf.keras.layers.Dense(64)])
opt = tf.keras.optimizers.Adam(1e-3)
MARGIN = 0.2

for anchor, positive, negative in triplet_batches:
    with tf.GradientTape() as tape:
        a, p, n = embedder(anchor), embedder(positive), embedder(negative)
        d_ap = tf.norm(a - p, axis=-1)  # BUG
        d_an = tf.norm(a - n, axis=-1)  # BUG
        loss = tf.reduce_mean(tf.maximum(d_ap - d_an + MARGIN, 0.0))
    grads = tape.gradient(loss, embedder.trainable_variables)
    opt.apply_gradients(zip(grads, embedder.trainable_variables))
