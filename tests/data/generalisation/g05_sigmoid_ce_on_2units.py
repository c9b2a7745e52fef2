from tensorflow.keras.models import Model
from tensorflow.keras.layers import Input, Dense
inp = Input(shape=(30,))
h = Dense(16, activation='relu')(inp)
out = Dense(2, activation='sigmoid')(h)  # BUG
model = Model(inp, out)
model.compile(optimizer='sgd', loss='categorical_crossentropy', metrics=['accuracy'])
