import tensorflow as tf
model = tf.keras.Sequential([tf.keras.layers.Dense(10, activation="softmax", input_shape=(784,))])
model.compile(optimizer=tf.keras.optimizers.SGD(learning_rate=10.0), loss="categorical_crossentropy")  # BUG
