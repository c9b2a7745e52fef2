from tensorflow import keras
model = keras.Sequential([
    keras.layers.Dense(64, activation="relu", input_shape=(20,)),
    keras.layers.Dense(5, activation="relu"),  # BUG
])
model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
