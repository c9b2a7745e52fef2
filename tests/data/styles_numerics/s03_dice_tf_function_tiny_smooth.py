import tensorflow as tf

model = tf.keras.Sequential([
    tf.keras.layers.Conv2D(16, 3, padding="same", activation="relu"),
    tf.keras.layers.Conv2D(1, 1, activation="sigmoid"),
])
optimizer = tf.keras.optimizers.Adam(1e-4)
SMOOTH = 1e-10  # BUG


def soft_dice(masks, probs):
    intersection = tf.reduce_sum(masks * probs, axis=[1, 2, 3])
    totals = tf.reduce_sum(masks, axis=[1, 2, 3]) + tf.reduce_sum(probs, axis=[1, 2, 3])
    return (2.0 * intersection + SMOOTH) / (totals + SMOOTH)


@tf.function
def train_step(images, masks):
    with tf.GradientTape() as tape:
        probs = model(images, training=True)
        loss = 1.0 - tf.reduce_mean(soft_dice(masks, probs))
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables))
    return loss
