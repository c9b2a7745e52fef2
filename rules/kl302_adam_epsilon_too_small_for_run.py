from kerlint.diagnostic import Related, Severity
from kerlint.rule import Finding, Option, Rule

ADAM_FAMILY = ("Adam", "AdamW", "Adamax", "Nadam", "Lamb")
RAISED_EPSILON = 1e-3  # the low end of the range the fix text recommends


class AdamEpsilonTooSmallForRun(Rule):
    code = "KL302"
    name = "adam-epsilon-too-small-for-run"
    tag = "optimizer"
    severity = Severity.WARNING
    fixable = "unsafe"  # raise epsilon: it changes every optimizer step
    summary = "An Adam-family optimizer keeps a tiny epsilon over a very long run."
    what_it_does = (
        "Finds Adam, AdamW, Adamax, Nadam and Lamb optimizers (and TensorFlow 1's AdamOptimizer) with epsilon "
        "below `min-epsilon` (the default 1e-7 included) whose training run is very long in optimizer steps: "
        "epochs x steps per epoch (steps_per_epoch, or samples / batch size) of at least `max-steps`, or, when "
        "the steps per epoch are unknown, at least `max-epochs` epochs. A run whose learning rate decays (a "
        "schedule, ReduceLROnPlateau, LearningRateScheduler) or that stops early (EarlyStopping) is not reported."
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
        "max-steps": Option(1_000_000, "optimizer steps (epochs x steps per epoch) at or above which a run counts as very long"),
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
        """\
import numpy as np
import keras

x = np.random.rand(100000, 20)
model.compile(optimizer=keras.optimizers.Adam(), loss="binary_crossentropy")  # expect: KL302
model.fit(x, np.random.randint(0, 2, 100000), batch_size=16, epochs=200)
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
        """\
import numpy as np
import keras

x = np.random.rand(200, 20)
model.compile(optimizer=keras.optimizers.Adam(0.00001), loss="binary_crossentropy")
model.fit(x, np.random.randint(0, 2, 200), batch_size=200, epochs=2000)  # 2000 steps in all
""",
        """\
import keras

optimizer = keras.optimizers.Adam(0.00001)
model.compile(optimizer, loss="binary_crossentropy")
model.fit(x, y, epochs=4680, callbacks=[keras.callbacks.ReduceLROnPlateau(patience=20)])
""",
    )

    def check(self, facts, options):
        for optimizer in facts.optimizers:
            epsilon = optimizer.params.get("epsilon")
            if optimizer.name not in ADAM_FAMILY or not isinstance(epsilon, (int, float)) or epsilon >= options["min-epsilon"]:
                continue
            for run in facts.run_for_optimizer(optimizer):
                if optimizer.schedule or run.decays_learning_rate or run.stops_early:
                    continue  # the step size shrinks, or the run ends when progress stalls
                length = self._long(facts, run, options)
                if length:
                    where = optimizer.param_spans.get("epsilon", optimizer.span)
                    yield Finding(
                        where,
                        f"{optimizer.text} keeps epsilon={epsilon:g} for {length}: late in the run the second moment v "
                        f"shrinks, and when gradients grow again m/(sqrt(v)+{epsilon:g}) explodes — the loss jumps "
                        "and plateaus after a long stable stretch",
                        related=(Related(run.span, f"{run.method}() runs {length} here"),),
                        autofix=self._raise_epsilon(facts, optimizer, options),
                    )
                    break

    @staticmethod
    def _raise_epsilon(facts, optimizer, options):
        """Unsafe: a larger epsilon damps every step of the run, not only the late ones."""
        if facts.source is None:  # no fix wanted (LintSettings.fixes)
            return None
        from kerlint.call_edits import set_keyword  # loaded only where fixes are wanted

        value = f"{max(RAISED_EPSILON, options['min-epsilon']):g}"
        return set_keyword(facts.source, optimizer.span, "epsilon", value, f"Raise epsilon to {value}", "unsafe")

    @staticmethod
    def _long(facts, run, options) -> str | None:
        owners = [m for m in facts.models if run in m.runs]
        steps = owners[0].optimizer_steps(run) if owners else None
        if steps is not None:
            if steps < options["max-steps"]:
                return None
            per_epoch = steps // run.epochs
            how = "steps" if run.steps_per_epoch is not None else f"steps of batch {run.batch_size or 32}"
            return f"{steps:,} optimizer steps ({run.epochs} epochs x {per_epoch:,} {how})"
        if run.epochs is not None and run.epochs >= options["max-epochs"]:
            return f"a {run.epochs}-epoch run"
        return None

    def probe(self, evidence):
        run = f"after {evidence.steps_total:,} steps" if evidence.steps_total else "late in a long run"
        adam = evidence.run.adam
        measured = ""
        if adam:
            measured = (f"; after {len(evidence.rows)} steps median √v = {evidence.fmt(adam.median_sqrt_v)} vs epsilon {evidence.fmt(adam.epsilon)}"
                        f" ({adam.frac_sqrt_v_below_10eps:.0%} of weights have √v < 10·epsilon)")
        if evidence.broken:
            return evidence.confirmed(evidence.broken)
        return evidence.inconclusive(f"a {len(evidence.rows)}-step probe cannot show a blow-up the configuration predicts {run}, "
                                     "when v has shrunk" + measured)
