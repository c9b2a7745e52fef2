from kerlint.diagnostic import Severity
from kerlint.rule import Finding, Rule


class RemovedBackendFunction(Rule):
    code = "KL705"
    name = "removed-backend-function"
    tag = "api-compat"
    severity = Severity.INFO
    fixable = "safe"  # K.sum -> keras.ops.sum (+ import keras), where the two mean the same
    summary = "A keras.backend math function (K.sum, K.log, ...) that Keras 3 moved to keras.ops."
    what_it_does = (
        "Finds calls of `keras.backend` functions other than the handful Keras 3 kept (epsilon, floatx, "
        "clear_session, image_data_format, ...)."
    )
    why_bad = "On Keras 3 the call fails with AttributeError — information for porting custom losses and metrics."
    fix = "Use the keras.ops function of the same name (K.sum -> keras.ops.sum, K.log -> keras.ops.log)."
    references = ("https://keras.io/api/ops/",)
    invalid = (
        """\
from keras import backend as K

def dice(y_true, y_pred):
    return K.sum(y_true * y_pred)  # expect: KL705
""",
        """\
import tensorflow.keras.backend as K

def loss(y_true, y_pred):
    return K.mean(K.square(y_true - y_pred))  # expect: KL705, KL705
""",
    )
    valid = (
        """\
import keras

def dice(y_true, y_pred):
    return keras.ops.sum(y_true * y_pred)
""",
        """\
from keras import backend as K

smooth = K.epsilon()
""",
    )

    def check(self, facts, options):
        for usage in facts.legacy:
            if usage.kind == "backend-function":
                replacement = f"{usage.new}()" if usage.new.startswith("keras.ops.") and " " not in usage.new else usage.new
                yield Finding(usage.span, f"{usage.old}() is not in Keras 3's keras.backend: use {replacement}",
                              autofix=self._ops(facts, usage))

    @staticmethod
    def _ops(facts, usage):
        if facts.source is None or not usage.new.startswith("keras.ops."):  # no fix wanted, or no keras.ops twin
            return None
        from kerlint.keras_fixes import backend_to_ops  # loaded only where fixes are wanted

        return backend_to_ops(facts.source, usage.span, usage.new.removeprefix("keras.ops."))
