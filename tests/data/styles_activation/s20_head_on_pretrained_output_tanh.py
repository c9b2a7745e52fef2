"""A new head on a pretrained backbone's output tensor (Keras 2 style transfer learning)."""
from keras.applications.vgg16 import VGG16
from keras.layers import Dense, GlobalAveragePooling2D
from keras.models import Model

base_model = VGG16(weights='imagenet', include_top=False)
x = base_model.output
x = GlobalAveragePooling2D()(x)
x = Dense(1024, activation='relu')(x)
predictions = Dense(3, activation='tanh')(x)  # BUG: tanh outputs are not probabilities
model = Model(inputs=base_model.input, outputs=predictions)
for layer in base_model.layers:
    layer.trainable = False
model.compile(optimizer='rmsprop', loss='categorical_crossentropy')
model.fit_generator(train_generator, steps_per_epoch=200, epochs=5)
