import tensorflow as tf
x = tf.placeholder(tf.float32, [None, 100])
y = tf.placeholder(tf.float32, [None, 1])
h = tf.layers.dense(x, 32, activation=tf.nn.relu)
out = tf.layers.dense(h, 1, activation=tf.nn.sigmoid)
loss = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=y, logits=out))  # BUG
opt = tf.train.AdamOptimizer(0.001).minimize(loss)
