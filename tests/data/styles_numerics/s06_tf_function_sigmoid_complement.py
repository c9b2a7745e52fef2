import tensorflow as tf

encoder = tf.keras.Sequential([tf.keras.layers.Dense(64, activation="relu"), tf.keras.layers.Dense(1)])
optimizer = tf.keras.optimizers.SGD(0.01)


@tf.function
def train_step(features, labels):
    with tf.GradientTape() as tape:
        p = tf.sigmoid(encoder(features, training=True))
        nll = labels * tf.math.log(p) + (1.0 - labels) * tf.math.log(1.0 - p)  # BUG
        loss = -tf.reduce_mean(nll)
    gradients = tape.gradient(loss, encoder.trainable_variables)
    optimizer.apply_gradients(zip(gradients, encoder.trainable_variables))
    return loss
