import argparse
import numpy as np
import tensorflow as tf
from tensorflow.keras import layers, models


def get_args():
    p = argparse.ArgumentParser(description="multi-class text classifier")
    p.add_argument("--num_classes", type=int, default=20)
    p.add_argument("--vocab", type=int, default=20000)
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--lr", type=float, default=1e-3)
    return p.parse_args()


def build(args):
    inp = layers.Input(shape=(200,))
    x = layers.Embedding(args.vocab, 128)(inp)
    x = layers.Bidirectional(layers.LSTM(64))(x)
    x = layers.Dense(64, activation="relu")(x)
    out = layers.Dense(args.num_classes, activation="softmax")(x)
    return models.Model(inp, out)


if __name__ == "__main__":
    args = get_args()
    model = build(args)
    model.compile(optimizer=tf.keras.optimizers.Adam(args.lr),
                  loss="binary_crossentropy",  # BUG
                  metrics=["accuracy"])
    X = np.random.randint(0, args.vocab, (1000, 200))
    y = tf.keras.utils.to_categorical(np.random.randint(0, args.num_classes, 1000), args.num_classes)
    model.fit(X, y, epochs=args.epochs, batch_size=64)
