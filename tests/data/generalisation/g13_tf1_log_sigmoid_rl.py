import tensorflow as tf
states = tf.placeholder(tf.float32, [None, 4])
actions = tf.placeholder(tf.float32, [None, 1])
advantages = tf.placeholder(tf.float32, [None])
h = tf.layers.dense(states, 16, activation=tf.nn.relu)
prob = tf.layers.dense(h, 1, activation=tf.nn.sigmoid)
log_lik = actions * tf.log(prob) + (1 - actions) * tf.log(1 - prob)  # BUG
loss = -tf.reduce_mean(log_lik * advantages)
train = tf.train.AdamOptimizer(1e-2).minimize(loss)
