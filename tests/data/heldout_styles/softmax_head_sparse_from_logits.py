import tensorflow as tf

IMG = 160
NUM_CLASSES = 5

base = tf.keras.applications.MobileNetV2(input_shape=(IMG, IMG, 3), include_top=False, weights="imagenet")
base.trainable = False

model = tf.keras.Sequential([
    base,
    tf.keras.layers.GlobalAveragePooling2D(),
    tf.keras.layers.Dropout(0.2),
    tf.keras.layers.Dense(NUM_CLASSES, activation="softmax"),  # BUG (the other end of the pair)
])

model.compile(
    optimizer=tf.keras.optimizers.Adam(learning_rate=1e-4),
    loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),  # BUG
    metrics=["accuracy"],
)

train_ds = tf.keras.utils.image_dataset_from_directory("flowers/train", image_size=(IMG, IMG))
model.fit(train_ds, epochs=10)
