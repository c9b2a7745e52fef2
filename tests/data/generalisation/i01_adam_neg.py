from tensorflow import keras
model = keras.Sequential([keras.Input((10,)), keras.layers.Dense(1)])
model.compile(optimizer=keras.optimizers.Adam(learning_rate=-0.001), loss="mse")  # BUG
