import difflib

from kerlint.diagnostic import Related, Severity
from kerlint.rule import Finding, Rule

LEARNING_RATE_KEYS = ("lr", "learning_rate")  # logged by ReduceLROnPlateau / schedulers
KERAS2_ALIASES = {"acc": "accuracy"}  # keys Keras 2.0-2.2 logged under a short name


class MonitorMetricNotLogged(Rule):
    code = "KL601"
    name = "monitor-metric-not-logged"
    tag = "training-config"
    severity = Severity.WARNING
    fixable = "safe"  # 'val_acc' -> 'val_accuracy' where compile() logs 'accuracy'
    summary = "A callback monitors a metric that compile() never logs, so it never acts."
    what_it_does = (
        "Finds EarlyStopping, ReduceLROnPlateau and ModelCheckpoint(save_best_only=True) callbacks whose "
        "`monitor` names a key "
        "that the model's compile() does not produce — e.g. `monitor='val_acc'` with `metrics=['accuracy']`, "
        "which Keras >= 2.3 logs as `accuracy` / `val_accuracy` — or a `val_` key for a fit() without "
        "validation data. `monitor='val_acc'` is right for Keras 2.0-2.2, which logged `metrics=['accuracy']` as "
        "`acc`: when the project targets Keras 2 (`target-keras`) and imports standalone `keras`, it is reported only "
        "if the file needs Keras >= 2.3 anyway (it passes `learning_rate=` to an optimizer, the 2.3 spelling)."
    )
    why_bad = (
        "Keras only warns once that the monitored key is unavailable, then the callback does nothing: early "
        "stopping never fires, the best checkpoint is never saved, the learning rate is never reduced. The run "
        "continues into the blow-up the callback was meant to stop (seed 003)."
    )
    fix = "Monitor a key the model logs: 'loss' / 'val_loss', or a metric as compile() names it (e.g. 'val_accuracy')."
    references = ("https://keras.io/api/callbacks/early_stopping/",)
    invalid = (
        """\
import keras

model.compile(loss='categorical_crossentropy', optimizer='adam', metrics=['accuracy'])
stop = keras.callbacks.EarlyStopping(monitor='val_acc', patience=3)  # expect: KL601
model.fit(x, y, validation_split=0.2, callbacks=[stop])
""",
        """\
from tensorflow import keras

model.compile(optimizer="adam", loss="mse")
model.fit(x, y, epochs=20, callbacks=[keras.callbacks.ReduceLROnPlateau(monitor="val_loss")])  # expect: KL601
""",
    )
    valid = (
        """\
import keras

model.compile(loss='categorical_crossentropy', optimizer='adam', metrics=['accuracy'])
stop = keras.callbacks.EarlyStopping(monitor='val_accuracy', patience=3)
model.fit(x, y, validation_split=0.2, callbacks=[stop])
""",
        """\
from tensorflow import keras

model.compile(optimizer="adam", loss="mse", metrics=[keras.metrics.AUC(name="roc")])
model.fit(x, y, epochs=20, validation_data=(xv, yv), callbacks=[keras.callbacks.ModelCheckpoint("best.keras", monitor="val_roc", save_best_only=True)])
""",
        """\
import keras

model.compile(optimizer="adam", loss="mse")
model.fit(x, y, epochs=5, callbacks=[keras.callbacks.ModelCheckpoint("ckpt-{epoch}.keras", save_freq=100)])
""",
        """\
import keras

class GAN(keras.Model):
    @property
    def metrics(self):
        return [self.kid]

    def test_step(self, images):
        self.kid.update_state(images, self.generate(images))
        return {m.name: m.result() for m in self.metrics}

model = GAN()
model.compile(optimizer="adam")
model.fit(data, validation_data=val, callbacks=[keras.callbacks.ModelCheckpoint("best.keras", monitor="val_kid", save_best_only=True)])
""",
    )

    def check(self, facts, options):
        validation = self._validation_by_callback(facts)
        for callback in facts.callbacks:
            monitor = callback.monitor
            if monitor is None or not callback.acts_on_monitor:
                continue
            base = monitor.removeprefix("val_")
            if monitor.startswith("val_") and validation.get(id(callback)) is False:
                yield Finding(
                    callback.monitor_span,
                    f"{callback.name} monitors '{monitor}', but fit() gets no validation_data or validation_split, "
                    "so no 'val_' key is ever logged and the callback never acts",
                )
                continue
            logged = self._logged(callback)
            if logged is None or base in logged or base in LEARNING_RATE_KEYS:
                continue
            if base in KERAS2_ALIASES and KERAS2_ALIASES[base] in logged and self._keras2(facts):
                continue  # Keras 2.0-2.2 logged 'accuracy' as 'acc': right for this project's Keras
            suggestion = difflib.get_close_matches(base, sorted(logged), n=1, cutoff=0.3)
            prefix = "val_" if monitor.startswith("val_") else ""
            hint = f"; use monitor='{prefix}{suggestion[0]}'" if suggestion else ""
            renamed = " (Keras >= 2.3 logs 'accuracy', not 'acc')" if base == "acc" and "accuracy" in logged else ""
            yield Finding(
                callback.monitor_span,
                f"{callback.name} monitors '{monitor}', but compile() logs only "
                f"{', '.join(repr(prefix + key) for key in sorted(logged))}{renamed}: the callback never sees its "
                f"metric and never acts{hint}",
                related=(Related(callback.compile.span, "metrics set by this compile()"),),
                autofix=self._renamed_key(facts, callback, prefix) if renamed else None,
            )

    @staticmethod
    def _renamed_key(facts, callback, prefix):
        """monitor='val_acc' -> 'val_accuracy': the key Keras >= 2.3 logs for metrics=['accuracy']."""
        if facts.source is None:  # no fix wanted (LintSettings.fixes)
            return None
        from kerlint.renames import rename_string  # loaded only where fixes are wanted

        new = f"{prefix}accuracy"
        return rename_string(facts.source, callback.monitor_span, callback.monitor, new, f"Monitor '{new}'")

    @staticmethod
    def _keras2(facts) -> bool:
        """The project targets Keras 2 through standalone `keras` (tf.keras always logged 'accuracy' as
        written), and nothing in the file needs Keras >= 2.3 (the release that both renamed lr= to
        learning_rate= and started logging 'accuracy'): it may be the Keras 2.0-2.2 that logged 'acc'."""
        standalone = any(name == "keras" or name.startswith("keras.") for name in facts.keras_imports)
        return (facts.target_keras == "2" and standalone
                and not any("learning_rate" in o.keywords for o in facts.optimizers))

    @staticmethod
    def _logged(callback) -> set[str] | None:
        compiled = callback.compile
        if compiled is None or compiled.metrics is None or len(compiled.losses) > 1:
            return None
        names = {metric.name for metric in compiled.metrics}
        if None in names:
            return None
        return {"loss"} | names

    @staticmethod
    def _validation_by_callback(facts) -> dict[int, bool]:
        found: dict[int, bool] = {}
        for _, run in facts.runs():
            for callback in run.callbacks or []:
                if run.has_validation is not None:
                    found[id(callback)] = found.get(id(callback), False) or run.has_validation
        return found
