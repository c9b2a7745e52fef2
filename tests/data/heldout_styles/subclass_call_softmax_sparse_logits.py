import tensorflow as tf


class Net(tf.keras.Model):
    def __init__(self, n_cls=10):
        super(Net, self).__init__()
        self.conv = tf.keras.layers.Conv2D(32, 3, activation='relu')
        self.flat = tf.keras.layers.Flatten()
        self.fc1 = tf.keras.layers.Dense(128, activation='relu')
        self.fc2 = tf.keras.layers.Dense(n_cls)

    def call(self, x):
        x = self.flat(self.conv(x))
        return tf.nn.softmax(self.fc2(self.fc1(x)))  # BUG (the other end of the pair)


model = Net()
optimizer = tf.keras.optimizers.SGD(0.01)
train_loss = tf.keras.metrics.Mean()


@tf.function
def train_step(images, labels):
    with tf.GradientTape() as tape:
        logits = model(images)
        loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits))  # BUG
    gradients = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(gradients, model.trainable_variables))
    train_loss(loss)
