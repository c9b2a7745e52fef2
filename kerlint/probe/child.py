"""The probe's child process: `python -m kerlint.probe.child FILE --out-fd FD [...]`.

Exec'd by the supervisor inside the OS confinement (supervisor.py, confine.py), in a fresh scratch
directory, with Keras patched (see capture.py). Runs the script, inspects every compiled model, probes the risky ones and
writes one JSON document to --out-fd, sent again after each stage so a timeout still leaves what was
learned. Never raises: whatever goes wrong is a note in the JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import runpy
import sys
import time
import traceback

MAX_BATCHES = 32
MAX_NOTE = 500

_real_exit = os._exit


def _device_memory_cap(memory: int) -> list[str]:
    """On a GPU, TensorFlow may take at most `memory` bytes of each device (host memory is limited by
    the supervisor with RLIMIT_DATA, since CUDA reserves far more address space than it uses)."""
    from kerlint.probe.confine import gpu_present

    if memory <= 0 or not gpu_present():
        return []
    try:
        import tensorflow as tf

        for gpu in tf.config.list_physical_devices("GPU"):
            tf.config.set_logical_device_configuration(gpu, [tf.config.LogicalDeviceConfiguration(memory_limit=memory // 1024**2)])
    except Exception as error:  # noqa: BLE001
        return [f"GPU memory cap not applied: {type(error).__name__}: {str(error)[:MAX_NOTE]}"]
    return []


class Output:
    """The document, one JSON line per write, on the pipe to the supervisor (which keeps the last)."""

    def __init__(self, fd: int, document: dict) -> None:
        os.set_inheritable(fd, False)  # not passed on to what the script starts
        self.channel, self.document, self.pid = os.fdopen(fd, "wb"), document, os.getpid()

    def write(self) -> None:
        if os.getpid() != self.pid:  # a copy the script forked: only the probe itself reports
            return
        self.channel.write(json.dumps(self.document, default=str).encode("utf-8") + b"\n")
        self.channel.flush()


def where(error: BaseException, script: str) -> str:
    """`file.py:LINE` of the innermost frame inside the user's file, or of the innermost frame."""
    frames = traceback.extract_tb(error.__traceback__)
    inside = [f for f in frames if os.path.realpath(f.filename) == script]
    frame = inside[-1] if inside else (frames[-1] if frames else None)
    return f"{os.path.basename(frame.filename)}:{frame.lineno}" if frame else os.path.basename(script)


def _describe(error: BaseException, script: str) -> str:
    from kerlint.probe.capture import ScriptExit

    if isinstance(error, (SystemExit, ScriptExit)):
        how = "os._exit" if isinstance(error, ScriptExit) else "sys.exit"
        return f"the script called {how}({error.code!r}) at {where(error, script)}; models built before it were inspected"
    if isinstance(error, SyntaxError) and error.filename and error.lineno:  # raised by compiling, not by a frame
        return f"the script failed at {os.path.basename(error.filename)}:{error.lineno}: SyntaxError: {error.msg}"
    text = f"{type(error).__name__}: {error}"
    return f"the script failed at {where(error, script)}: {text[:MAX_NOTE]}"


def _run_script(path: str, recorder) -> str | None:
    sys.argv = [path]
    sys.path.insert(0, os.path.dirname(path))
    try:
        runpy.run_path(path, run_name="__main__")
    except BaseException as error:  # noqa: BLE001 - SystemExit, os._exit, anything the script raises
        if isinstance(error, KeyboardInterrupt):
            raise
        if isinstance(error, SystemExit) and error.code in (None, 0):
            return None
        return _describe(error, recorder.script)
    return None


def _factory(spec: str, data_spec: str | None, recorder, root: str):
    """--model module:factory (or a .keras/.h5 file), --data module:function."""
    import importlib

    import keras

    sys.path.insert(0, root)
    if spec.endswith((".keras", ".h5")):
        return keras.saving.load_model(os.path.join(root, spec), safe_mode=True), None
    module_name, _, function = spec.partition(":")
    found = importlib.util.find_spec(module_name)
    if found is not None and found.origin:
        recorder.script = os.path.realpath(found.origin)
    model = getattr(importlib.import_module(module_name), function or "build_model")()
    data = None
    if data_spec:
        module_name, _, function = data_spec.partition(":")
        data = getattr(importlib.import_module(module_name), function or "load_data")()
    return model, data


def _models(recorder) -> list:
    """Captured training runs' models first, then models compiled but never trained."""
    models = []
    for run in recorder.runs:
        if all(run.model is not m for m in models):
            models.append(run.model)
    return models + [m for m in recorder.compiled if all(m is not other for other in models)]


def _batches(model, recorder, entry, limit: int):
    from kerlint.probe import batches as batching

    for run in recorder.runs:
        if run.model is model:
            try:
                found = batching.from_capture(run.x, run.y, run.batch_size, limit, generator_limit=MAX_BATCHES,
                                               validation_split=run.validation_split)
                if found and found[0][1] is not None:
                    return found, "captured"
            except Exception as error:  # noqa: BLE001
                entry["notes"].append(f"captured data could not be read ({type(error).__name__}: {str(error)[:200]}); synthetic batches used")
    outputs = entry.get("outputs") or [{}]
    loss = (entry.get("losses") or [{}])[0].get("name")
    return batching.synthetic(model, loss, outputs[0].get("units"), min(limit, 8)), "synthetic"


def _inspect(model, recorder, path: str, limit: int) -> tuple[dict, list]:
    from kerlint.probe import batches as batching
    from kerlint.probe.inspector import inspect_model
    from kerlint.probe.rebuild import facts_for, finding_json, run_rules
    from kerlint.probe.records import ModelEntry

    entry = inspect_model(model)
    entry["notes"] = []
    entry["runs"] = [
        {"method": r.method, "line": r.line, "epochs": r.epochs,
         "steps_per_epoch": r.steps_per_epoch if r.steps_per_epoch is not None else _len(r.x), "calls": r.calls}
        for r in recorder.runs if r.model is model
    ]
    data, source = _batches(model, recorder, entry, limit)
    entry["data"] = {"source": source, "inputs": batching.value_range(data, 0), "targets": batching.value_range(data, 1),
                     "inputs_each": batching.value_ranges_each(data, 0), "targets_each": batching.value_ranges_each(data, 1)}
    facts = facts_for([ModelEntry.from_json(entry)], path)
    entry["findings"] = [finding_json(code, finding) for code, finding in run_rules(facts)]
    return entry, data


def _len(value) -> int | None:
    try:
        return len(value) if hasattr(value, "__getitem__") and not hasattr(value, "shape") else None
    except Exception:  # noqa: BLE001
        return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="kerlint.probe.child")
    parser.add_argument("file")
    parser.add_argument("--out-fd", type=int, required=True)
    parser.add_argument("--steps", type=int, default=120)
    parser.add_argument("--train-seconds", type=float, default=8.0)
    parser.add_argument("--all", action="store_true")
    parser.add_argument("--codes", default="")
    parser.add_argument("--memory", type=int, default=0)
    parser.add_argument("--deadline", type=float, default=0.0)
    parser.add_argument("--model")
    parser.add_argument("--data")
    parser.add_argument("--root", default=".")
    parser.add_argument("--sharpness", action="store_true")
    args = parser.parse_args(argv)
    deadline = args.deadline or time.time() + 3600
    script = os.path.realpath(args.file)
    out = Output(args.out_fd, {"file": args.file, "stage": "importing keras", "notes": [], "models": []})
    out.write()
    try:
        _child(args, script, out, deadline)
    except BaseException as error:  # noqa: BLE001 - kerlint's own failure: say so in the JSON
        out.document["notes"].append(f"probe failed: {type(error).__name__}: {str(error)[:MAX_NOTE]}")
        out.write()
    sys.stdout.flush()
    sys.stderr.flush()
    _real_exit(0)  # not sys.exit: threads the script left running must not keep the child alive
    return 0


def _child(args, script: str, out: Output, deadline: float) -> None:
    import keras

    from kerlint.probe.capture import Recorder, install
    from kerlint.probe.initial_weights import draw_from_numpy

    out.document["notes"] += _device_memory_cap(args.memory)
    out.document["notes"] += [note for note in [draw_from_numpy()] if note]
    recorder = Recorder(script)
    install(recorder, os.getcwd())
    out.document["stage"] = "running the script"
    out.write()
    if args.model:
        try:
            model, data = _factory(args.model, args.data, recorder, os.path.realpath(args.root))
            recorder.compiled.append(model)
            if data is not None:
                x, y = (data if isinstance(data, tuple) and len(data) == 2 else (data, None))
                from kerlint.probe.capture import Captured

                recorder.runs.append(Captured(model=model, method="factory", line=None, x=x, y=y))
        except BaseException as error:  # noqa: BLE001
            out.document["notes"].append(_describe(error, recorder.script))
    else:
        failure = _run_script(script, recorder)
        if failure:
            out.document["notes"].append(failure)
    out.document["notes"] += recorder.notes
    models = _models(recorder)
    if not models and not out.document["notes"]:
        out.document["notes"].append("no compiled Keras model was built, so nothing was inspected or probed")
    out.document["stage"] = "inspecting"
    entries = []
    for model in models:
        try:
            entry, data = _inspect(model, recorder, script, max(args.steps, 1))
        except Exception as error:  # noqa: BLE001
            out.document["notes"].append(f"a model could not be inspected: {type(error).__name__}: {str(error)[:MAX_NOTE]}")
            continue
        entries.append((model, entry, data))
        out.document["models"].append(entry)
    out.write()
    from kerlint.probe.verdicts import needs_sharpness, probed

    static = {code for code in args.codes.split(",") if code}
    for model, entry, data in entries:
        codes = static | {f["code"] for f in entry["findings"]}
        risky = sorted(code for code in codes if probed(code))
        if not (args.all or risky):
            entry["probe"] = {"skipped": "no flagged risk (use --probe=all to train it anyway)"}
            continue
        out.document["stage"] = f"probing model {entries.index((model, entry, data)) + 1}"
        sharpness = args.sharpness or any(needs_sharpness(code) for code in risky)  # e.g. an optimizer finding
        entry["probe"] = _probe(model, entry, data, args, deadline, sharpness)
        if entry["probe"].get("stopped_by_time"):
            out.document["notes"].append(
                f"model compiled at line {entry.get('compile_line') or entry.get('line')}: training stopped by the clock "
                f"(train-seconds = {args.train_seconds:g}, or the file's time limit) after "
                f"{len(entry['probe']['trajectory'])} of {args.steps} steps: how many fit depends on the machine's speed")
        out.write()
    out.document["stage"] = "done"
    out.write()


def _probe(model, entry: dict, data: list, args, deadline: float, sharpness: bool = False) -> dict:
    from kerlint.probe.backend_choice import for_keras
    from kerlint.probe.train import probe

    if getattr(model, "optimizer", None) is None or not getattr(model, "compiled", True):
        return {"error": "the model is not compiled"}
    try:
        backend = for_keras()
        activation = (entry.get("outputs") or [{}])[0].get("activation")
        stop = min(deadline - 2.0, time.time() + args.train_seconds)
        return probe(model, data, args.steps, backend, activation, stop, with_sharpness=sharpness,
                     time_limit=deadline - 2.0)
    except NotImplementedError as error:
        return {"error": str(error)}
    except Exception as error:  # noqa: BLE001
        return {"error": f"training failed: {type(error).__name__}: {str(error)[:MAX_NOTE]}"}


if __name__ == "__main__":
    sys.exit(main())
