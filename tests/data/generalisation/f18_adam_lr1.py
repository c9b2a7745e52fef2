import tensorflow as tf
model = tf.keras.Sequential([tf.keras.layers.Dense(64, activation="relu", input_shape=(30,)),
                             tf.keras.layers.Dense(1, activation="sigmoid")])
model.compile(optimizer=tf.keras.optimizers.Adam(lr=1), loss="binary_crossentropy")  # BUG
