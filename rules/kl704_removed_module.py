from kerlint.diagnostic import Severity
from kerlint.rule import Finding, Rule


class RemovedModule(Rule):
    code = "KL704"
    name = "removed-module"
    tag = "api-compat"
    severity = Severity.INFO
    summary = "An import from a Keras module that Keras 3 no longer has (keras.engine, keras.layers.core, ...)."
    what_it_does = (
        "Finds imports (or, in snippets without imports, uses) of Keras 1/2 modules that Keras 3 removed: "
        "`keras.engine`, `keras.layers.core`/`convolutional`/`recurrent`/..., `keras.utils.np_utils`, "
        "`keras.wrappers.scikit_learn`, `keras.optimizers.legacy`, and standalone Keras 3's removed "
        "`ImageDataGenerator`."
    )
    why_bad = "The import fails with ModuleNotFoundError before anything runs — information for porting to Keras 3."
    fix = "Import from the public namespaces: keras.Model / keras.Input / keras.layers / keras.utils."
    references = ("https://keras.io/getting_started/migrating_to_keras_3/",)
    invalid = (
        """\
from keras.engine import Model, Input  # expect: KL704
""",
        """\
from keras.layers.core import Dense, Dropout  # expect: KL704
from keras.utils.np_utils import to_categorical  # expect: KL704
""",
    )
    valid = (
        """\
from keras import Model, Input
""",
        """\
from keras.layers import Dense, Dropout
from keras.utils import to_categorical
""",
    )

    def check(self, facts, options):
        for usage in facts.legacy:
            if usage.kind == "module":
                yield Finding(usage.span, f"{usage.context}: {usage.old} does not exist in Keras 3; use {usage.new}")
