"""Keras 3: a subclassed model that overrides compute_loss (multi-class images, 6 classes)."""
import keras
from keras import layers, ops


class Classifier(keras.Model):
    def __init__(self, num_classes=6, **kwargs):
        super().__init__(**kwargs)
        self.features = keras.Sequential([layers.Conv2D(32, 3, activation="relu"), layers.GlobalAveragePooling2D()])
        self.head = layers.Dense(num_classes, activation="sigmoid")

    def call(self, images, training=False):
        return self.head(self.features(images, training=training))

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        loss = keras.losses.categorical_crossentropy(y, y_pred)  # BUG: sigmoid units fed to categorical CE
        return ops.mean(loss)


model = Classifier()
model.compile(optimizer=keras.optimizers.Adam(1e-3), metrics=["accuracy"])
model.fit(train_images, train_labels, epochs=10, batch_size=64)
