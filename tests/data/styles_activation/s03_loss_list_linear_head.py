"""Multi-output functional model with a list of losses, one per output, in output order."""
import tensorflow as tf

inputs = tf.keras.Input(shape=(64, 64, 3))
x = tf.keras.layers.Conv2D(16, 3, activation="relu")(inputs)
x = tf.keras.layers.MaxPooling2D()(x)
x = tf.keras.layers.Flatten()(x)
box = tf.keras.layers.Dense(4, name="box")(x)
label = tf.keras.layers.Dense(10, name="label")(x)  # BUG: linear logits, loss expects probabilities
model = tf.keras.Model(inputs, [box, label])
model.compile(optimizer="adam", loss=["mse", "sparse_categorical_crossentropy"], metrics=[[], ["accuracy"]])
model.fit(images, [boxes, labels], epochs=20)
