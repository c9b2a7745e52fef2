import tensorflow as tf
x = tf.placeholder(tf.float32, [None, 13])
y = tf.placeholder(tf.float32, [None, 1])
W = tf.Variable(tf.zeros([13, 1]))
b = tf.Variable(tf.zeros([1]))
pred = tf.matmul(x, W) + b
cost = tf.reduce_mean(tf.square(pred - y))
optimizer = tf.train.GradientDescentOptimizer(learning_rate=5.0).minimize(cost)  # BUG
