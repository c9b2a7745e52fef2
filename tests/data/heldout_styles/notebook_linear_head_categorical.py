#!/usr/bin/env python
# coding: utf-8

# In[1]:


import numpy as np
import pandas as pd
import tensorflow as tf
from tensorflow import keras


# In[2]:


df = pd.read_csv("train.csv")
X = df.drop("label", axis=1).values.reshape(-1, 28, 28, 1) / 255.0
y = keras.utils.to_categorical(df["label"].values, 10)


# In[3]:


model = keras.Sequential([
    keras.layers.Conv2D(32, 3, activation="relu", input_shape=(28, 28, 1)),
    keras.layers.MaxPool2D(),
    keras.layers.Flatten(),
    keras.layers.Dense(128, activation="relu"),
    keras.layers.Dense(10),  # BUG (the other end of the pair)
])
model.summary()


# In[4]:


model.compile(optimizer="adam", loss=keras.losses.CategoricalCrossentropy(), metrics=["accuracy"])  # BUG
history = model.fit(X, y, validation_split=0.1, epochs=10)


# In[ ]:




