import tensorflow.compat.v1 as tf
tf.disable_v2_behavior()
x = tf.placeholder(tf.float32, [None, 10])
y = tf.placeholder(tf.float32, [None, 1])
w = tf.get_variable("w", [10, 1])
logits = tf.matmul(x, w)
loss = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=y, logits=tf.nn.sigmoid(logits)))  # BUG
train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
