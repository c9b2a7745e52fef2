import tensorflow as tf
model = tf.keras.Sequential([tf.keras.layers.Dense(64, activation="relu"), tf.keras.layers.Dense(10)])
optimizer = tf.keras.optimizers.Adam()
def train_step(x, y_onehot):
    with tf.GradientTape() as tape:
        probs = tf.nn.softmax(model(x))
        loss = -tf.reduce_mean(tf.reduce_sum(y_onehot * tf.math.log(probs), axis=1))  # BUG
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables))
