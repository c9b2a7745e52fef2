import tensorflow as tf

model = tf.keras.Sequential([tf.keras.layers.Dense(1, activation="relu")])
optimizer = tf.keras.optimizers.SGD(0.01)


def train(x, y):
    optimizer.minimize(lambda: tf.reduce_mean(tf.square(y - model(x)) / model(x)), model.trainable_variables)  # BUG
