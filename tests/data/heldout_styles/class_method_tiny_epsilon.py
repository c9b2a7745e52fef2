import os
import tensorflow as tf


class SegTrainer(object):
    """训练器: 封装模型和损失函数"""

    def __init__(self, cfg):
        self.cfg = cfg
        self.model = self.build_model()

    def build_model(self):
        inp = tf.keras.Input((256, 256, 3))
        x = tf.keras.layers.Conv2D(32, 3, padding="same", activation="relu")(inp)
        x = tf.keras.layers.Conv2D(32, 3, padding="same", activation="relu")(x)
        out = tf.keras.layers.Conv2D(self.cfg["n_cls"], 1, activation="softmax")(x)
        return tf.keras.Model(inp, out)

    def custom_loss(self, y_true, y_pred):
        # 交叉熵, 加一个很小的数防止log(0)
        ce = -tf.reduce_sum(y_true * tf.math.log(y_pred + 1e-12), axis=-1)  # BUG
        return tf.reduce_mean(ce)

    def train(self, ds):
        self.model.compile(optimizer=tf.keras.optimizers.SGD(self.cfg["lr"], momentum=0.9),
                           loss=self.custom_loss)
        self.model.fit(ds, epochs=self.cfg["epochs"])
        self.model.save(os.path.join(self.cfg["out"], "seg.h5"))


if __name__ == "__main__":
    SegTrainer({"n_cls": 6, "lr": 0.01, "epochs": 50, "out": "ckpt"}).train(None)
