import numpy as np
import tensorflow as tf

n_input = 13
n_hidden = 32
n_classes = 3
learning_rate = 0.01

X = tf.placeholder("float", [None, n_input])
Y = tf.placeholder("float", [None, n_classes])

weights = {
    'h1': tf.Variable(tf.random_normal([n_input, n_hidden])),
    'out': tf.Variable(tf.random_normal([n_hidden, n_classes]))
}
biases = {
    'b1': tf.Variable(tf.random_normal([n_hidden])),
    'out': tf.Variable(tf.random_normal([n_classes]))
}


def neural_net(x):
    layer_1 = tf.nn.relu(tf.add(tf.matmul(x, weights['h1']), biases['b1']))
    out_layer = tf.matmul(layer_1, weights['out']) + biases['out']
    return tf.nn.softmax(out_layer)  # BUG (the other end of the pair)


logits = neural_net(X)
loss_op = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(logits=logits, labels=Y))  # BUG
optimizer = tf.train.GradientDescentOptimizer(learning_rate=learning_rate)
train_op = optimizer.minimize(loss_op)

init = tf.global_variables_initializer()
data = np.loadtxt("wine.csv", delimiter=",")
with tf.Session() as sess:
    sess.run(init)
    for step in range(1, 501):
        sess.run(train_op, feed_dict={X: data[:, 1:], Y: np.eye(3)[data[:, 0].astype(int) - 1]})
