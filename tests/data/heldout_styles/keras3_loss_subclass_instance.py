import keras
from keras import ops


class FocalLoss(keras.losses.Loss):
    def __init__(self, gamma=2.0, alpha=0.25, name="focal_loss"):
        super().__init__(name=name)
        self.gamma = gamma
        self.alpha = alpha

    def call(self, y_true, y_pred):
        pt = ops.where(ops.equal(y_true, 1), y_pred, 1 - y_pred)
        return -ops.mean(self.alpha * ops.power(1.0 - pt, self.gamma) * ops.log(pt))  # BUG

    def get_config(self):
        return {"gamma": self.gamma, "alpha": self.alpha, "name": self.name}


model = keras.Sequential([
    keras.Input(shape=(30,)),
    keras.layers.Dense(32, activation="relu"),
    keras.layers.Dense(1, activation="sigmoid"),
])
model.compile(optimizer="adam", loss=FocalLoss(gamma=2.0), metrics=["auc"])
