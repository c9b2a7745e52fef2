from keras.preprocessing.image import ImageDataGenerator
from keras.models import Sequential
from keras.layers import Conv2D, Flatten, Dense
train_datagen = ImageDataGenerator(rotation_range=20, horizontal_flip=True)  # BUG: no rescale
train_generator = train_datagen.flow_from_directory('data/train', target_size=(150, 150), batch_size=32, class_mode='binary')
model = Sequential([Conv2D(32, (3, 3), activation='relu', input_shape=(150, 150, 3)), Flatten(), Dense(1, activation='sigmoid')])
model.compile(loss='binary_crossentropy', optimizer='rmsprop', metrics=['accuracy'])
model.fit(train_generator, steps_per_epoch=100, epochs=30)
