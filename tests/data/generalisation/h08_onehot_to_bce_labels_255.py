import numpy as np
from keras.models import Model
from keras.layers import Input, Conv2D
from keras.preprocessing.image import load_img, img_to_array
masks = np.array([img_to_array(load_img(p, color_mode="grayscale")) for p in ["m1.png", "m2.png"]])  # BUG: 0..255
images = np.array([img_to_array(load_img(p)) for p in ["i1.png", "i2.png"]]) / 255.0
inp = Input((256, 256, 3))
out = Conv2D(1, 1, activation="sigmoid")(inp)
model = Model(inp, out)
model.compile(optimizer="adam", loss="binary_crossentropy")
model.fit(images, masks, epochs=5)
