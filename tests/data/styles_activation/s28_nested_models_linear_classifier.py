"""A model composed of sub-models: a feature extractor and a classifier, each a Sequential used as a layer."""
import keras
from keras import layers

feature_extractor = keras.Sequential([
    layers.Conv2D(32, 3, activation="relu"),
    layers.MaxPooling2D(),
    layers.Conv2D(64, 3, activation="relu"),
    layers.GlobalAveragePooling2D(),
], name="features")
classifier = keras.Sequential([layers.Dropout(0.3), layers.Dense(10)], name="classifier")  # BUG: linear logits

inputs = keras.Input(shape=(32, 32, 3))
outputs = classifier(feature_extractor(inputs))
model = keras.Model(inputs, outputs)
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
model.fit(x_train, y_train, epochs=10)
