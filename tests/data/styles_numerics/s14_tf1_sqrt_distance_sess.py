import tensorflow as tf

tf.compat.v1.disable_eager_execution()
left = tf.compat.v1.placeholder(tf.float32, [None, 64])
right = tf.compat.v1.placeholder(tf.float32, [None, 64])
same = tf.compat.v1.placeholder(tf.float32, [None])


def embed(inputs, reuse):
    with tf.compat.v1.variable_scope("tower", reuse=reuse):
        return tf.compat.v1.layers.dense(inputs, 16)


distance = tf.sqrt(tf.reduce_sum(tf.square(embed(left, False) - embed(right, True)), axis=1))  # BUG
loss = tf.reduce_mean(same * tf.square(distance) + (1.0 - same) * tf.square(tf.maximum(1.0 - distance, 0.0)))
train_op = tf.compat.v1.train.GradientDescentOptimizer(0.01).minimize(loss)
with tf.compat.v1.Session() as sess:
    sess.run(tf.compat.v1.global_variables_initializer())
