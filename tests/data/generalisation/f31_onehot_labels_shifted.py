import numpy as np
import tensorflow as tf
labels = np.loadtxt("labels.txt", dtype=int)  # classes 1..5
y = tf.keras.utils.to_categorical(labels - 1, 5)
y = y * 2 - 1  # BUG: {-1, 1} targets
model = tf.keras.Sequential([tf.keras.layers.Dense(5, activation="softmax", input_shape=(10,))])
model.compile(optimizer="adam", loss="categorical_crossentropy")
model.fit(np.random.rand(len(y), 10), y)
