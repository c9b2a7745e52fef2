from tensorflow.keras.layers import Input, Conv2D, Flatten, Dense, MaxPooling2D
from tensorflow.keras.models import Model

inp = Input(shape=(64, 64, 3))
x = Conv2D(32, 3, activation='relu')(inp)
x = MaxPooling2D()(x)
x = Flatten()(x)
x = Dense(128, activation='relu')(x)

age = Dense(1, name='age')(x)
gender = Dense(1, name='gender')(x)  # BUG (the other end of the pair)
race = Dense(5, activation='softmax', name='race')(x)

model = Model(inputs=inp, outputs=[age, gender, race])
model.compile(optimizer='adam',
              loss={'age': 'mse',
                    'gender': 'binary_crossentropy',  # BUG
                    'race': 'categorical_crossentropy'},
              loss_weights={'age': 0.1, 'gender': 1.0, 'race': 1.5},
              metrics={'gender': 'accuracy', 'race': 'accuracy'})
