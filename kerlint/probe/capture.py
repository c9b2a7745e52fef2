"""Child side: intercept training, saving and exiting while the user's script runs.

`install(script, sandbox)` patches Keras so that `fit` / `fit_generator` / `train_on_batch` record
what they were given and return at once, saving writes nothing, `sys.exit` / `os._exit` end only the
script, writes outside the sandbox directory are refused, and a few Keras 1/2 spellings build where
a faithful shim exists (`lr=`, `nb_epoch=`, `fit_generator`, `keras.engine`).
"""

from __future__ import annotations

import builtins
import collections
import os
import shutil
import sys
import types
from dataclasses import dataclass, field
from typing import Any


class ScriptExit(BaseException):
    """The script called os._exit(code): end the script, not the probe."""

    def __init__(self, code: Any) -> None:
        super().__init__(code)
        self.code = code


@dataclass
class Captured:
    model: Any
    method: str
    line: int | None
    x: Any = None
    y: Any = None
    epochs: int | None = None
    steps_per_epoch: int | None = None
    batch_size: int | None = None
    validation_split: float = 0.0
    calls: int = 1


@dataclass
class Recorder:
    script: str  # realpath of the user's file
    runs: list[Captured] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    compiled: list[Any] = field(default_factory=list)  # models compiled, in order

    def user_line(self) -> int | None:
        """The line of the innermost frame inside the user's script."""
        frame = sys._getframe(1)
        while frame is not None:
            if os.path.realpath(frame.f_code.co_filename) == self.script:
                return frame.f_lineno
            frame = frame.f_back
        return None

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)


class _History:
    """What fit() returns instead of training: `history.history[key]` reads as one 0.0 entry."""

    def __init__(self, model: Any, epochs: int) -> None:
        self.model = model
        self.epoch = list(range(epochs or 1))
        self.params = {"epochs": epochs, "verbose": 0}
        self.history = collections.defaultdict(lambda: [0.0])


def install(recorder: Recorder, sandbox: str) -> None:
    import keras

    _patch_training(keras, recorder)
    _patch_lines(keras, recorder)
    _patch_saving(keras)
    _patch_legacy(keras, recorder)
    _patch_exits()
    _guard_writes(sandbox)


def _first_arg(args: tuple, kwargs: dict, position: int, *names: str) -> Any:
    for name in names:
        if name in kwargs:
            return kwargs[name]
    return args[position] if len(args) > position else None


def _record(recorder: Recorder, model: Any, method: str, **values: Any) -> None:
    for run in recorder.runs:
        if run.model is model and run.method == method:
            run.calls += 1
            return
    recorder.runs.append(Captured(model=model, method=method, line=recorder.user_line(), **values))


def _patch_training(keras: Any, recorder: Recorder) -> None:
    Model = keras.Model

    def fit(self, *args, **kwargs):
        epochs = _first_arg(args, kwargs, 3, "epochs", "nb_epoch")
        _record(
            recorder, self, "fit", x=_first_arg(args, kwargs, 0, "x"), y=_first_arg(args, kwargs, 1, "y"),
            epochs=epochs, steps_per_epoch=kwargs.get("steps_per_epoch"), batch_size=_first_arg(args, kwargs, 2, "batch_size"),
            validation_split=kwargs.get("validation_split") or 0.0,
        )
        return _History(self, epochs or 1)

    def fit_generator(self, *args, **kwargs):
        epochs = _first_arg(args, kwargs, 2, "epochs", "nb_epoch")
        _record(
            recorder, self, "fit_generator", x=_first_arg(args, kwargs, 0, "generator"),
            steps_per_epoch=_first_arg(args, kwargs, 1, "steps_per_epoch", "samples_per_epoch"), epochs=epochs,
        )
        return _History(self, epochs or 1)

    def train_on_batch(self, *args, **kwargs):
        _record(recorder, self, "train_on_batch", x=_first_arg(args, kwargs, 0, "x"), y=_first_arg(args, kwargs, 1, "y"))
        return 0.0

    Model.fit, Model.fit_generator, Model.train_on_batch = fit, fit_generator, train_on_batch
    original_compile = Model.compile

    def compile(self, *args, **kwargs):
        if "lr" in kwargs:  # never a compile argument; keep the script building
            kwargs.pop("lr")
        result = original_compile(self, *args, **kwargs)
        self._kerlint_compile_line = recorder.user_line()
        if self not in recorder.compiled:
            recorder.compiled.append(self)
        return result

    Model.compile = compile


def _patch_lines(keras: Any, recorder: Recorder) -> None:
    """Remember where each layer, model and optimizer was created in the user's file."""
    from keras.src.optimizers.base_optimizer import BaseOptimizer

    for cls in (keras.layers.Layer, BaseOptimizer):
        original = cls.__init__

        def __init__(self, *args, __original=original, **kwargs):
            __original(self, *args, **kwargs)
            try:
                if getattr(self, "_kerlint_line", None) is None:
                    object.__setattr__(self, "_kerlint_line", recorder.user_line())
            except Exception:  # noqa: BLE001 - a line number is a nicety
                pass

        cls.__init__ = __init__


def _patch_saving(keras: Any) -> None:
    def nothing(*args, **kwargs):
        return None

    keras.Model.save = nothing
    keras.Model.save_weights = nothing
    keras.saving.save_model = nothing
    if hasattr(keras.models, "save_model"):
        keras.models.save_model = nothing
    keras.callbacks.ModelCheckpoint.on_epoch_end = nothing  # fit never runs, but a hand-driven loop might
    keras.callbacks.ModelCheckpoint.on_train_batch_end = nothing


def _patch_legacy(keras: Any, recorder: Recorder) -> None:
    from keras.src.optimizers.base_optimizer import BaseOptimizer

    classes = {cls for name in dir(keras.optimizers) if isinstance(cls := getattr(keras.optimizers, name), type)}
    for cls in classes:
        if not issubclass(cls, BaseOptimizer) or "__init__" not in vars(cls):
            continue
        original = cls.__init__

        def __init__(self, *args, __original=original, __name=cls.__name__, **kwargs):
            if "lr" in kwargs:
                kwargs.setdefault("learning_rate", kwargs.pop("lr"))
                recorder.note(f"{__name}(lr=...) built as learning_rate=... (Keras 1/2 spelling)")
            if "decay" in kwargs:
                kwargs.pop("decay")
                recorder.note(f"{__name}(decay=...) dropped: Keras 3 has no per-step decay argument")
            __original(self, *args, **kwargs)

        cls.__init__ = __init__
    engine = types.ModuleType("keras.engine")
    engine.Model, engine.Layer, engine.InputSpec = keras.Model, keras.layers.Layer, keras.layers.InputSpec
    topology = types.ModuleType("keras.engine.topology")
    topology.Layer, topology.InputSpec = keras.layers.Layer, keras.layers.InputSpec
    engine.topology = topology
    sys.modules.setdefault("keras.engine", engine)
    sys.modules.setdefault("keras.engine.topology", topology)


def _patch_exits() -> None:
    def _exit(code=0):
        raise ScriptExit(code)

    os._exit = _exit


def _guard_writes(sandbox: str) -> None:
    """Refuse writes, deletions and renames outside the sandbox (the parent points TMPDIR there too)."""
    allowed = (os.path.realpath(sandbox),)

    def inside(path: Any) -> bool:
        if isinstance(path, int):
            return True  # a file descriptor already open
        try:
            real = os.path.realpath(os.fsdecode(path))
        except (TypeError, ValueError):
            return True
        return any(real == root or real.startswith(root + os.sep) for root in allowed) or real == os.devnull

    def refuse(path: Any) -> None:
        raise PermissionError(f"kerlint probe: writing {os.fsdecode(path)!r} outside the sandbox is blocked")

    original_open = builtins.open

    def guarded_open(file, mode="r", *args, **kwargs):
        if any(flag in mode for flag in "wax+") and not inside(file):
            refuse(file)
        return original_open(file, mode, *args, **kwargs)

    builtins.open = guarded_open
    import io

    io.open = guarded_open
    for module, name in ((os, "remove"), (os, "unlink"), (os, "rmdir"), (os, "mkdir"), (os, "makedirs"), (shutil, "rmtree")):
        original = getattr(module, name)

        def guarded(path, *args, __original=original, **kwargs):
            if not inside(path):
                refuse(path)
            return __original(path, *args, **kwargs)

        setattr(module, name, guarded)
    for module, name in ((os, "rename"), (os, "replace"), (shutil, "move"), (shutil, "copy"), (shutil, "copyfile")):
        original = getattr(module, name)

        def guarded2(src, dst, *args, __original=original, __name=name, **kwargs):
            if not inside(dst) or (__name in ("rename", "replace", "move") and not inside(src)):
                refuse(dst if not inside(dst) else src)
            return __original(src, dst, *args, **kwargs)

        setattr(module, name, guarded2)
