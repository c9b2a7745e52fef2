"""Whether a file can hold anything the rules react to, decided from its text before it is parsed.

Every fact a rule reads starts from one of these, so a file that mentions none of them yields no fact
and is not analysed (its syntax and `# noqa` comments are still checked):

- a Keras or TensorFlow name: `keras`, `tensorflow` anywhere, or a name a fragment without imports
  uses by convention (`K`, `tf`, `layers`, `Dense`, `SGD`, `EarlyStopping`, ... all of `CONVENTIONS`);
- a training or legacy method: `compile`, `fit`, `fit_generator`, `evaluate_generator`, ... ;
- a custom loss or metric: a class deriving from `...Loss` / `...Metric`, a function or lambda whose
  parameters look like (target, prediction), as `numerics.signatures` decides, or a function named
  like a loss factory (`dice`, `focal`, `...loss`: `numerics.discovery.FACTORY_WORDS`).

The test suite checks every rule's own examples against this filter, so a rule that reacts to
something new fails there until the vocabulary learns it.
"""

from __future__ import annotations

import re
from functools import lru_cache

from kerlint.extract import keras_api as api
from kerlint.extract.legacy import FIT_LIKE
from kerlint.extract.names import CONVENTIONS
from kerlint.extract.numerics.discovery import FACTORY_WORDS
from kerlint.extract.numerics.vocabulary import LOSS_BASES, METRIC_BASES, PREDICTION_HINTS, TARGET_PARAMS

NOT_KERAS = ("np", "numpy", "math")  # conventional names that lead to no fact on their own
IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@lru_cache(maxsize=1)
def _api_names() -> frozenset[str]:
    methods = ("compile", *api.TRAINING_METHODS, *api.REMOVED_METHODS, *FIT_LIKE, *api.RENAMED_FIT_ARGUMENTS)
    return frozenset(name for name in CONVENTIONS if name not in NOT_KERAS) | frozenset(methods)


def may_hold_facts(source: str) -> bool:
    if "keras" in source or "tensorflow" in source or any(base in source for base in LOSS_BASES + METRIC_BASES):
        return True
    names = set(IDENTIFIER.findall(source))
    if not names.isdisjoint(_api_names()):
        return True
    if "def" not in names and "lambda" not in names:
        return False
    lowered = {name.lower() for name in names}
    if any(word in name for name in lowered for word in FACTORY_WORDS):
        return True
    return not lowered.isdisjoint(TARGET_PARAMS) and any(
        name == "p" or any(hint in name for hint in PREDICTION_HINTS) for name in lowered)
