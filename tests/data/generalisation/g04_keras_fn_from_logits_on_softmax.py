import tensorflow as tf
model = tf.keras.Sequential([tf.keras.layers.Dense(32, activation="relu"), tf.keras.layers.Dense(10, activation="softmax")])
opt = tf.keras.optimizers.Adam()
@tf.function
def train_step(x, y):
    with tf.GradientTape() as tape:
        pred = model(x, training=True)
        loss = tf.reduce_mean(tf.keras.losses.sparse_categorical_crossentropy(y, pred, from_logits=True))  # BUG
    opt.apply_gradients(zip(tape.gradient(loss, model.trainable_variables), model.trainable_variables))
