import tensorflow as tf

x = tf.placeholder(tf.float32, shape=[None, 20], name="x")
y = tf.placeholder(tf.float32, shape=[None, 1], name="y")
h = tf.layers.dense(x, 64, activation=tf.nn.relu)
h = tf.layers.dropout(h, rate=0.3)
logits = tf.layers.dense(h, 1)
loss = tf.losses.log_loss(labels=y, predictions=logits)  # BUG
train_op = tf.train.RMSPropOptimizer(0.001).minimize(loss)

sess = tf.Session()
sess.run(tf.global_variables_initializer())
for i in range(1000):
    sess.run(train_op, feed_dict={x: xs, y: ys})
