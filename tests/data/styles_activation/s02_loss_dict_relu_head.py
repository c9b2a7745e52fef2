"""A two-output functional model (category and price), losses keyed by output name."""
from tensorflow import keras
from tensorflow.keras import layers

text = keras.Input(shape=(200,), name="tokens")
x = layers.Embedding(20000, 64)(text)
x = layers.GlobalAveragePooling1D()(x)
x = layers.Dense(64, activation="relu")(x)
category = layers.Dense(12, activation="relu", name="category")(x)  # BUG: relu head for a categorical CE
price = layers.Dense(1, name="price")(x)

model = keras.Model(inputs=text, outputs=[category, price])
model.compile(
    optimizer="rmsprop",
    loss={"category": "categorical_crossentropy", "price": "mse"},
    loss_weights={"category": 1.0, "price": 0.2},
    metrics={"category": ["accuracy"]},
)
model.fit(tokens, {"category": category_onehot, "price": prices}, epochs=8, batch_size=32)
