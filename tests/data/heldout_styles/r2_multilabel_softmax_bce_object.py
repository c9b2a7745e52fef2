import tensorflow as tf

NUM_LABELS = 30
backbone = tf.keras.applications.ResNet50(include_top=False, pooling="avg")
x = tf.keras.layers.Dense(NUM_LABELS, activation="softmax")(backbone.output)
model = tf.keras.Model(backbone.input, x)
model.compile(optimizer="adam", loss=tf.keras.losses.BinaryCrossentropy(), metrics=[tf.keras.metrics.AUC(multi_label=True)])  # BUG
