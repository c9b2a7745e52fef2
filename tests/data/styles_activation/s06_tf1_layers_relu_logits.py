"""TensorFlow 1.x graph code with tf.layers (run through tf.compat.v1)."""
import tensorflow.compat.v1 as tf

tf.disable_v2_behavior()

x = tf.placeholder(tf.float32, [None, 784])
y = tf.placeholder(tf.float32, [None, 10])
hidden = tf.layers.dense(x, 256, activation=tf.nn.relu)
logits = tf.layers.dense(hidden, 10, activation=tf.nn.relu)  # BUG: relu on the logits
cost = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(labels=y, logits=logits))
train_op = tf.train.AdamOptimizer(1e-3).minimize(cost)

with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for step in range(1000):
        batch_x, batch_y = mnist.train.next_batch(100)
        sess.run(train_op, feed_dict={x: batch_x, y: batch_y})
