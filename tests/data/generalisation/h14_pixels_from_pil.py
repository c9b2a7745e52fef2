import numpy as np
from PIL import Image
import tensorflow as tf
X = np.stack([np.asarray(Image.open(f"img{i}.jpg").resize((32, 32))) for i in range(100)])  # BUG
y = np.random.randint(0, 10, 100)
model = tf.keras.Sequential([tf.keras.layers.Flatten(input_shape=(32, 32, 3)), tf.keras.layers.Dense(10, activation="softmax")])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
model.fit(X, y)
