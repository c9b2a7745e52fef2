"""Keras 3 with the PyTorch backend: a plain torch training loop around a Keras model."""
import os

os.environ["KERAS_BACKEND"] = "torch"
import keras
import torch

model = keras.Sequential([
    keras.layers.Input(shape=(784,)),
    keras.layers.Dense(128, activation="relu"),
    keras.layers.Dense(10, activation="softmax"),  # BUG: softmax output, the loss applies softmax again
])
loss_fn = keras.losses.CategoricalCrossentropy(from_logits=True)
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

for epoch in range(3):
    for x, y in train_loader:
        logits = model(x)
        loss = loss_fn(y, logits)
        model.zero_grad()
        loss.backward()
        optimizer.step()
