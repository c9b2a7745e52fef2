"""Keras 3 functional model whose outputs are a dict (penguins: species and body mass)."""
import keras

features = keras.Input(shape=(6,))
h = keras.layers.Dense(32, activation="relu")(features)
outputs = {
    "species": keras.layers.Dense(3)(h),  # BUG: linear, loss expects probabilities
    "mass": keras.layers.Dense(1)(h),
}
model = keras.Model(features, outputs)
model.compile(optimizer="adam", loss={"species": "sparse_categorical_crossentropy", "mass": "mse"})
model.fit(x_train, {"species": species, "mass": mass}, epochs=50)
