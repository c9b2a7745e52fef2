import os
os.environ["KERAS_BACKEND"] = "torch"
import torch
import keras


class CustomModel(keras.Model):
    def train_step(self, data):
        x, y = data
        self.zero_grad()
        y_pred = self(x, training=True)
        loss = -keras.ops.mean(keras.ops.sum(y * keras.ops.log(y_pred), axis=-1))  # BUG
        loss.backward()
        trainable_weights = [v for v in self.trainable_weights]
        gradients = [v.value.grad for v in trainable_weights]
        with torch.no_grad():
            self.optimizer.apply(gradients, trainable_weights)
        return {"loss": loss}


inputs = keras.Input(shape=(32,))
outputs = keras.layers.Dense(5, activation="softmax")(keras.layers.Dense(32, activation="relu")(inputs))
model = CustomModel(inputs, outputs)
model.compile(optimizer="adam")
