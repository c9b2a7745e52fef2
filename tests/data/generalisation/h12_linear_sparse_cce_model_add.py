import tensorflow as tf
model = tf.keras.models.Sequential()
model.add(tf.keras.layers.Conv2D(32, (3, 3), activation='relu', input_shape=(28, 28, 1)))
model.add(tf.keras.layers.Flatten())
model.add(tf.keras.layers.Dense(10))  # BUG
model.compile(optimizer='adam', loss='sparse_categorical_crossentropy', metrics=['accuracy'])
