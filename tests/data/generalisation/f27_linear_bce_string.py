import tensorflow as tf
model = tf.keras.Sequential([
    tf.keras.layers.Dense(32, activation="relu", input_shape=(16,)),
    tf.keras.layers.Dense(1),  # BUG
])
model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
