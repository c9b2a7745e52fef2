import tensorflow as tf
from tensorflow.keras import layers

model = tf.keras.Sequential([
    layers.Input((784,)),
    layers.Dense(256, activation="relu"),
    layers.Dense(10),
    layers.Softmax(),  # BUG
])
model.compile(optimizer="adam",
              loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
              metrics=["accuracy"])
