from kerlint.diagnostic import Related, Severity
from kerlint.rule import Finding, Option, Rule

ADAM_FAMILY = ("Adam", "AdamW", "Adamax", "Nadam", "Lamb")


class AdamEpsilonTooSmallForRun(Rule):
    code = "KL302"
    name = "adam-epsilon-too-small-for-run"
    tag = "optimizer"
    severity = Severity.WARNING
    summary = "An Adam-family optimizer keeps a tiny epsilon over a very long run."
    what_it_does = (
        "Finds Adam, AdamW, Adamax, Nadam and Lamb optimizers with epsilon below `min-epsilon` (the default "
        "1e-7 included) whose training run is very long: at least `max-epochs` epochs, or epochs x "
        "steps_per_epoch of at least `max-steps` when both are known."
    )
    why_bad = (
        "Adam steps by lr * m / (sqrt(v) + epsilon), where m and v are running averages of the gradient and "
        "its square. Over a long run the gradients get small and v shrinks with them; v (beta_2 = 0.999) "
        "reacts ~100x slower than m (beta_1 = 0.9), so when a gradient grows again m jumps while v lags and "
        "a tiny epsilon no longer bounds the ratio: the update explodes and the loss jumps and plateaus after "
        "hundreds of stable epochs (seed 002: binary CE fell for ~1500 epochs, then blew up)."
    )
    fix = "Raise epsilon to 1e-3..1e-2 for very long runs (or train for fewer epochs / decay the learning rate)."
    references = (
        "https://keras.io/api/optimizers/adam/",
        "Stack Overflow seed 002: why does the loss of a CNN decrease for a long time and then suddenly increase",
    )
    options = {
        "min-epsilon": Option(1e-4, "epsilon below which a long run is reported"),
        "max-epochs": Option(1000, "epochs at or above which a run counts as very long"),
        "max-steps": Option(1_000_000, "total steps (epochs x steps_per_epoch) at or above which a run counts as very long"),
    }
    invalid = (
        """\
import keras

optimizer = keras.optimizers.Adam(0.00001)  # expect: KL302
model.compile(optimizer, loss="binary_crossentropy")
model.fit(x, y, epochs=4680)
""",
        """\
from tensorflow.keras.optimizers import Adam

model.compile(optimizer=Adam(learning_rate=1e-4, epsilon=1e-8), loss="mse")  # expect: KL302
model.fit(dataset, steps_per_epoch=2000, epochs=600)
""",
    )
    valid = (
        """\
import keras

optimizer = keras.optimizers.Adam(0.00001, epsilon=1e-3)
model.compile(optimizer, loss="binary_crossentropy")
model.fit(x, y, epochs=4680)
""",
        """\
from tensorflow.keras.optimizers import Adam

model.compile(optimizer=Adam(learning_rate=1e-4), loss="mse")
model.fit(dataset, steps_per_epoch=2000, epochs=50)
""",
    )

    def check(self, facts, options):
        for optimizer in facts.optimizers:
            epsilon = optimizer.params.get("epsilon")
            if optimizer.name not in ADAM_FAMILY or not isinstance(epsilon, (int, float)) or epsilon >= options["min-epsilon"]:
                continue
            for run in facts.run_for_optimizer(optimizer):
                length = self._long(run, options)
                if length:
                    where = optimizer.param_spans.get("epsilon", optimizer.span)
                    yield Finding(
                        where,
                        f"{optimizer.text} keeps epsilon={epsilon:g} for {length}: late in the run the second moment v "
                        f"shrinks, and when gradients grow again m/(sqrt(v)+{epsilon:g}) explodes — the loss jumps "
                        "and plateaus after a long stable stretch",
                        related=(Related(run.span, f"{run.method}() runs {length} here"),),
                    )
                    break

    @staticmethod
    def _long(run, options) -> str | None:
        if run.epochs is not None and run.steps_per_epoch is not None:
            total = run.epochs * run.steps_per_epoch
            if total >= options["max-steps"]:
                return f"{total:,} steps ({run.epochs} epochs x {run.steps_per_epoch} steps)"
        if run.epochs is not None and run.epochs >= options["max-epochs"]:
            return f"a {run.epochs}-epoch run"
        return None
