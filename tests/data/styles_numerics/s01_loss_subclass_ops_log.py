import keras
from keras import ops


class WeightedBinaryCrossentropy(keras.losses.Loss):
    def __init__(self, positive_weight=3.0, name="weighted_bce"):
        super().__init__(name=name)
        self.positive_weight = positive_weight

    def call(self, y_true, y_pred):
        positive = self.positive_weight * y_true * ops.log(y_pred)  # BUG
        negative = (1.0 - y_true) * ops.log(1.0 - y_pred)  # BUG
        return -ops.mean(positive + negative, axis=-1)

    def get_config(self):
        return {"positive_weight": self.positive_weight, "name": self.name}


model = keras.Sequential([keras.Input((20,)), keras.layers.Dense(16, activation="relu"),
                          keras.layers.Dense(1, activation="sigmoid")])
model.compile(optimizer="adam", loss=WeightedBinaryCrossentropy(positive_weight=5.0))
