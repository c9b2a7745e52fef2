import numpy as np
import tensorflow as tf
y = tf.keras.utils.to_categorical(np.random.randint(0, 3, 100), 3)
model = tf.keras.Sequential([tf.keras.Input((5,)), tf.keras.layers.Dense(3, activation="relu")])  # BUG
model.compile(optimizer="adam", loss=tf.keras.losses.CategoricalCrossentropy())
model.fit(np.random.rand(100, 5), y)
