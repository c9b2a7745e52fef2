import tensorflow as tf
from tensorflow.keras import layers

MARGIN = 1.0


def embedding_net():
    return tf.keras.Sequential([
        layers.Conv2D(32, 3, activation="relu", input_shape=(105, 105, 1)),
        layers.MaxPool2D(),
        layers.Flatten(),
        layers.Dense(128),
    ])


encoder = embedding_net()
opt = tf.keras.optimizers.Adam(1e-4)


@tf.function
def train_step(x1, x2, same):
    with tf.GradientTape() as tape:
        e1 = encoder(x1, training=True)
        e2 = encoder(x2, training=True)
        d = tf.sqrt(tf.reduce_sum(tf.square(e1 - e2), axis=1))  # BUG
        loss = tf.reduce_mean(same * tf.square(d) + (1.0 - same) * tf.square(tf.maximum(MARGIN - d, 0.0)))
    grads = tape.gradient(loss, encoder.trainable_variables)
    opt.apply_gradients(zip(grads, encoder.trainable_variables))
    return loss


pairs = tf.data.Dataset.from_tensor_slices(([], [], [])).batch(64)
for epoch in range(10):
    for a, b, s in pairs:
        l = train_step(a, b, s)
