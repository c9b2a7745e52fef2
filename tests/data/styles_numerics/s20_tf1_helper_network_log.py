import tensorflow as tf

tf.compat.v1.disable_eager_execution()
features = tf.compat.v1.placeholder(tf.float32, [None, 30])
labels = tf.compat.v1.placeholder(tf.float32, [None, 1])


def network(x):
    hidden = tf.compat.v1.layers.dense(x, 16, activation=tf.nn.relu)
    return tf.nn.sigmoid(tf.compat.v1.layers.dense(hidden, 1))


prob = network(features)
cost = -tf.reduce_mean(labels * tf.compat.v1.log(prob) + (1 - labels) * tf.compat.v1.log(1 - prob))  # BUG
optimizer = tf.compat.v1.train.AdamOptimizer(learning_rate=0.001).minimize(cost)
