import tensorflow as tf

POS_WEIGHT = 4.0
net = tf.keras.Sequential([tf.keras.layers.Dense(64, activation="relu"), tf.keras.layers.Dense(1)])
opt = tf.keras.optimizers.SGD(0.01)


def train_on_batch(x, y):
    with tf.GradientTape() as tape:
        p = tf.sigmoid(net(x))
        loss = -tf.reduce_mean(POS_WEIGHT * y * tf.math.log(p) + (1 - y) * tf.math.log(1 - p))  # BUG
    grads = tape.gradient(loss, net.trainable_variables)
    opt.apply_gradients(zip(grads, net.trainable_variables))
    return loss
