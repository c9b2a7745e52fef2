from tensorflow import keras
model = keras.Sequential([keras.Input((100, 8)), keras.layers.LSTM(64), keras.layers.Dense(1)])
model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1, momentum=0.9), loss="mse")  # BUG
