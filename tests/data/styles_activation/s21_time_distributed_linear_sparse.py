"""A sequence tagger: TimeDistributed(Dense) over LSTM outputs."""
from tensorflow import keras
from tensorflow.keras import layers

model = keras.Sequential([
    layers.Embedding(input_dim=5000, output_dim=64, mask_zero=True),
    layers.Bidirectional(layers.LSTM(64, return_sequences=True)),
    layers.TimeDistributed(layers.Dense(17)),  # BUG: linear scores, loss expects probabilities
])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
model.fit(sentences, tags, batch_size=32, epochs=10)
