"""A two-headed model trained in a GradientTape loop, its outputs unpacked from the model call."""
import tensorflow as tf

inputs = tf.keras.Input(shape=(40,))
h = tf.keras.layers.Dense(64, activation="relu")(inputs)
aux = tf.keras.layers.Dense(1)(h)
main = tf.keras.layers.Dense(5, activation="softmax")(h)  # BUG: softmax output passed as logits below
model = tf.keras.Model(inputs, [aux, main])
optimizer = tf.keras.optimizers.Adam()


def train_step(x, y_aux, y_main):
    with tf.GradientTape() as tape:
        aux_pred, main_pred = model(x, training=True)
        main_loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y_main, logits=main_pred))
        aux_loss = tf.reduce_mean(tf.square(aux_pred - y_aux))
        loss = main_loss + 0.3 * aux_loss
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables))
