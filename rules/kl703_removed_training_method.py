from kerlint.diagnostic import Severity
from kerlint.rule import Finding, Rule

# Removed method -> (its replacement, keywords the replacement takes with the same meaning). Only a call
# with the generator as its single positional argument is fixed: the other positional slots differ
# (fit_generator's second is steps_per_epoch, fit's is y).
REPLACEMENTS = {
    "fit_generator": ("fit", {"steps_per_epoch", "epochs", "verbose", "callbacks", "validation_data",
                              "validation_steps", "validation_freq", "class_weight", "shuffle", "initial_epoch"}),
    "evaluate_generator": ("evaluate", {"steps", "callbacks", "verbose"}),
    "predict_generator": ("predict", {"steps", "callbacks", "verbose"}),
}


class RemovedTrainingMethod(Rule):
    code = "KL703"
    name = "removed-training-method"
    tag = "api-compat"
    severity = Severity.INFO
    fixable = "safe"
    summary = "fit_generator / evaluate_generator / predict_generator no longer exist in Keras 3."
    what_it_does = "Finds calls of the `*_generator` training methods."
    why_bad = (
        "They were deprecated in TensorFlow 2.1 and removed in Keras 3 (AttributeError); fit(), evaluate() and "
        "predict() accept generators, tf.data datasets and PyDatasets directly."
    )
    fix = "Call fit() / evaluate() / predict() with the same generator."
    references = ("https://keras.io/api/models/model_training_apis/",)
    invalid = (
        """\
model.fit_generator(generator=train_generator, steps_per_epoch=100, epochs=10)  # expect: KL703
""",
        """\
score = model.evaluate_generator(test_generator, steps=10)  # expect: KL703
""",
    )
    valid = (
        """\
model.fit(train_generator, steps_per_epoch=100, epochs=10)
""",
        """\
score = model.evaluate(test_generator, steps=10)
""",
    )

    def check(self, facts, options):
        for usage in facts.legacy:
            if usage.kind == "training-method":
                message = f"{usage.old}() was removed in Keras 3: call {usage.new}() with the same generator"
                yield Finding(usage.span, message, autofix=self._rename(facts, usage))

    @staticmethod
    def _rename(facts, usage):
        if facts.source is None or usage.old not in REPLACEMENTS:  # no fix wanted (LintSettings.fixes), or none known
            return None
        from kerlint.renames import rename_method  # loaded only where fixes are wanted

        return rename_method(facts.source, usage.span, *REPLACEMENTS[usage.old])
