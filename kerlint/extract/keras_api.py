"""Moved to `kerlint.keras_api` (the vocabulary sits beside kerlint.facts, so rules need not import the
extractor). This name stays an alias of that one module, so `from kerlint.extract import keras_api` keeps working."""

import sys

from kerlint import keras_api

sys.modules[__name__] = keras_api
