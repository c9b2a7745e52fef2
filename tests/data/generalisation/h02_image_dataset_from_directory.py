import tensorflow as tf
train_ds = tf.keras.utils.image_dataset_from_directory("flowers", image_size=(180, 180), batch_size=32)
model = tf.keras.Sequential([
    tf.keras.layers.Conv2D(16, 3, activation="relu", input_shape=(180, 180, 3)),
    tf.keras.layers.Flatten(),
    tf.keras.layers.Dense(5),
])  # BUG: no Rescaling
model.compile(optimizer="adam", loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
model.fit(train_ds, epochs=10)
