import tensorflow as tf

model = tf.keras.Sequential([tf.keras.layers.Dense(10, activation="softmax")])
optimizer = tf.keras.optimizers.Adam()


def compute_loss(labels, predictions):
    return -tf.reduce_mean(tf.reduce_sum(labels * tf.math.log(predictions), axis=1))  # BUG


for images, labels in []:
    with tf.GradientTape() as tape:
        loss = compute_loss(labels, model(images))
    optimizer.apply_gradients(zip(tape.gradient(loss, model.trainable_variables), model.trainable_variables))
