import tensorflow as tf

clf = tf.keras.Sequential([tf.keras.layers.Dense(100, activation="relu"), tf.keras.layers.Dense(10)])
opt = tf.keras.optimizers.Adam()


def step(x, y_onehot):
    with tf.GradientTape() as tape:
        logits = clf(x, training=True)
        loss = tf.reduce_mean(tf.reduce_sum(y_onehot * tf.nn.log_softmax(logits), axis=-1))  # BUG
    grads = tape.gradient(loss, clf.trainable_variables)
    opt.apply_gradients(zip(grads, clf.trainable_variables))
