from kerlint.diagnostic import Severity
from kerlint.rule import Finding, Rule


class RemovedTrainingMethod(Rule):
    code = "KL703"
    name = "removed-training-method"
    tag = "api-compat"
    severity = Severity.INFO
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
                yield Finding(usage.span, f"{usage.old}() was removed in Keras 3: call {usage.new}() with the same generator")
