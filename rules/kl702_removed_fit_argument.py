from kerlint.diagnostic import Severity
from kerlint.rule import Finding, Rule

# Renames that mean exactly the same thing (samples_per_epoch -> steps_per_epoch does not: samples vs batches).
EXACT_RENAMES = {"nb_epoch": "epochs"}


class RemovedFitArgument(Rule):
    code = "KL702"
    name = "removed-fit-argument"
    tag = "api-compat"
    severity = Severity.INFO
    fixable = "safe"
    summary = "A fit()/evaluate() argument current Keras rejects (`nb_epoch=`, `samples_per_epoch=`, `workers=`, ...)."
    what_it_does = (
        "Finds Keras 1 spellings (`nb_epoch`, `samples_per_epoch`, `nb_val_samples`, `nb_worker`, `pickle_safe`) "
        "and the data-loading arguments Keras 3 moved out of fit() (`workers`, `use_multiprocessing`, "
        "`max_queue_size`)."
    )
    why_bad = "Keras 3's fit() raises TypeError on them, so the script stops before training — information for porting."
    fix = "Use epochs= / steps_per_epoch= / validation_steps=; pass workers and use_multiprocessing to a keras.utils.PyDataset."
    references = ("https://keras.io/api/models/model_training_apis/#fit-method",)
    invalid = (
        """\
model.fit(x_train, y_train, batch_size=32, nb_epoch=10)  # expect: KL702
""",
        """\
model.fit(train_generator, epochs=5, workers=4, use_multiprocessing=True)  # expect: KL702, KL702
""",
    )
    valid = (
        """\
model.fit(x_train, y_train, batch_size=32, epochs=10)
""",
        """\
model.fit(train_dataset, epochs=5)
""",
    )

    def check(self, facts, options):
        for usage in facts.legacy:
            if usage.kind != "fit-argument":
                continue
            if usage.new:
                message = f"{usage.context} uses {usage.old}=, which Keras 3 rejects: it is now {usage.new}="
            else:
                message = (f"{usage.context} uses {usage.old}=, which Keras 3's fit() no longer accepts: "
                           "pass it to a keras.utils.PyDataset instead")
            yield Finding(usage.span, message, autofix=self._rename(facts, usage))

    @staticmethod
    def _rename(facts, usage):
        if facts.source is None or usage.old not in EXACT_RENAMES:  # no fix wanted (LintSettings.fixes), or none exact
            return None
        from kerlint.renames import rename_keyword  # loaded only where fixes are wanted

        return rename_keyword(facts.source, usage.span, usage.old, EXACT_RENAMES[usage.old])
