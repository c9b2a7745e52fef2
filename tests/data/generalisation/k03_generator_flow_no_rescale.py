from keras.preprocessing.image import ImageDataGenerator
from keras.datasets import cifar10
from keras.models import Sequential
from keras.layers import Conv2D, Flatten, Dense
(x_train, y_train), _ = cifar10.load_data()
datagen = ImageDataGenerator(horizontal_flip=True)
model = Sequential([Conv2D(32, 3, activation='relu', input_shape=(32, 32, 3)), Flatten(), Dense(10, activation='softmax')])
model.compile(optimizer='adam', loss='sparse_categorical_crossentropy')
model.fit(datagen.flow(x_train, y_train, batch_size=32), epochs=10)  # BUG
