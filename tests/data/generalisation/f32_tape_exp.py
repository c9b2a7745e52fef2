import tensorflow as tf
model = tf.keras.Sequential([tf.keras.layers.Dense(16, activation="relu"), tf.keras.layers.Dense(2)])
opt = tf.keras.optimizers.Adam(1e-3)
def step(x, y):
    with tf.GradientTape() as tape:
        out = model(x)
        mu, log_sigma = out[:, 0], out[:, 1]
        sigma = tf.exp(log_sigma)  # BUG
        loss = tf.reduce_mean(tf.math.log(sigma) + tf.square(y - mu) / (2 * sigma ** 2))
    grads = tape.gradient(loss, model.trainable_variables)
    opt.apply_gradients(zip(grads, model.trainable_variables))
