from kerlint.diagnostic import Severity
from kerlint.rule import Finding, Rule

# Renames that mean exactly the same thing: offered as a safe fix.
EXACT_RENAMES = {"lr": "learning_rate"}


class RemovedOptimizerArgument(Rule):
    code = "KL701"
    name = "removed-optimizer-argument"
    tag = "api-compat"
    severity = Severity.INFO
    fixable = "safe"
    summary = "An optimizer argument current Keras rejects: `lr=` (now `learning_rate=`) or `decay=`."
    what_it_does = "Finds `lr=` and `decay=` in Keras optimizer constructors."
    why_bad = (
        "`lr` was renamed `learning_rate` in Keras 2.3 and Keras 3 rejects it; `decay` was removed in Keras 3 "
        "in favour of learning-rate schedules. The script fails with \"Argument(s) not recognized\" before "
        "training starts — information, so you know why a Keras 1/2 script won't build on Keras 3."
    )
    fix = "Write learning_rate= instead of lr=; replace decay= with a keras.optimizers.schedules.InverseTimeDecay schedule."
    references = ("https://keras.io/api/optimizers/learning_rate_schedules/",)
    invalid = (
        """\
from keras.optimizers import SGD

optimizer = SGD(lr=0.01, momentum=0.9, nesterov=True, clipnorm=1.)  # expect: KL701
""",
        """\
import tensorflow as tf

opt = tf.keras.optimizers.Adam(learning_rate=1e-3, decay=1e-6)  # expect: KL701
""",
    )
    valid = (
        """\
from keras.optimizers import SGD

optimizer = SGD(learning_rate=0.01, momentum=0.9, nesterov=True, clipnorm=1.)
""",
        """\
import tensorflow as tf

schedule = tf.keras.optimizers.schedules.InverseTimeDecay(1e-3, decay_steps=1, decay_rate=1e-6)
opt = tf.keras.optimizers.Adam(learning_rate=schedule)
""",
    )

    def check(self, facts, options):
        for usage in facts.legacy:
            if usage.kind != "optimizer-argument":
                continue
            if usage.new:
                message = f"{usage.context} uses {usage.old}=, which Keras 3 rejects: it is now {usage.new}="
            else:
                message = f"{usage.context} uses {usage.old}=, which Keras 3 removed: use a learning-rate schedule"
            yield Finding(usage.span, message, autofix=self._rename(facts, usage))

    @staticmethod
    def _rename(facts, usage):
        if facts.source is None or usage.old not in EXACT_RENAMES:  # no fix wanted (LintSettings.fixes), or none exact
            return None
        from kerlint.renames import rename_keyword  # loaded only where fixes are wanted

        return rename_keyword(facts.source, usage.span, usage.old, EXACT_RENAMES[usage.old])
