"""Transfer learning: train the head, then unfreeze and fine-tune (compiled twice)."""
import tensorflow as tf

base = tf.keras.applications.ResNet50(include_top=False, weights="imagenet", pooling="avg")
base.trainable = False
inputs = tf.keras.Input(shape=(224, 224, 3))
x = tf.keras.applications.resnet50.preprocess_input(inputs)
x = base(x, training=False)
outputs = tf.keras.layers.Dense(4, activation="sigmoid")(x)
model = tf.keras.Model(inputs, outputs)

model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])  # BUG
model.fit(train_ds, validation_data=val_ds, epochs=10)

base.trainable = True
model.compile(optimizer=tf.keras.optimizers.Adam(1e-5), loss="categorical_crossentropy", metrics=["accuracy"])  # BUG
model.fit(train_ds, validation_data=val_ds, epochs=5)
