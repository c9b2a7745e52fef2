"""Two outputs, only the second trained: a loss list with None for the first."""
import keras
from keras import layers

inputs = keras.Input(shape=(128,))
h = layers.Dense(64, activation="relu")(inputs)
embedding = layers.Dense(16, name="embedding")(h)
label = layers.Dense(7, activation="relu", name="label")(h)  # BUG: relu head for a categorical CE
model = keras.Model(inputs, [embedding, label])
model.compile(optimizer="adam", loss=[None, "categorical_crossentropy"])
model.fit(x_train, [None, y_train], epochs=5)
