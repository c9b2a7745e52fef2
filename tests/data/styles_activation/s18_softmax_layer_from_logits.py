"""tf.keras Sequential ending in a Softmax layer, compiled with a from_logits loss object."""
import tensorflow as tf

model = tf.keras.Sequential()
model.add(tf.keras.layers.Conv2D(32, 3, activation="relu", input_shape=(28, 28, 1)))
model.add(tf.keras.layers.Flatten())
model.add(tf.keras.layers.Dense(10))
model.add(tf.keras.layers.Softmax())  # BUG: softmax output, loss applies softmax again
loss = tf.keras.losses.CategoricalCrossentropy(from_logits=True)
model.compile(optimizer="adam", loss=loss, metrics=["accuracy"])
model.fit(x_train, y_train, epochs=5)
