import tensorflow as tf
tf.compat.v1.disable_eager_execution()

n_features, n_classes = 100, 6
x = tf.compat.v1.placeholder(tf.float32, [None, n_features])
y = tf.compat.v1.placeholder(tf.float32, [None, n_classes])

w1 = tf.compat.v1.get_variable("w1", [n_features, 64])
b1 = tf.compat.v1.get_variable("b1", [64], initializer=tf.zeros_initializer())
w2 = tf.compat.v1.get_variable("w2", [64, n_classes])
b2 = tf.compat.v1.get_variable("b2", [n_classes], initializer=tf.zeros_initializer())

hidden = tf.nn.relu(tf.matmul(x, w1) + b1)
out = tf.sigmoid(tf.matmul(hidden, w2) + b2)  # BUG (the other end of the pair)
loss = tf.compat.v1.losses.softmax_cross_entropy(onehot_labels=y, logits=out)  # BUG
train_op = tf.compat.v1.train.AdamOptimizer(0.001).minimize(loss)

with tf.compat.v1.Session() as sess:
    sess.run(tf.compat.v1.global_variables_initializer())
    for epoch in range(100):
        _, l = sess.run([train_op, loss], feed_dict={x: X_train, y: Y_train})
