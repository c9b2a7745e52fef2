"""Parent side glue for `kerlint check --probe`: options, which files, run, attach, notes, reports."""

from __future__ import annotations

import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any, Mapping

from kerlint.diagnostic import Diagnostic
from kerlint.notebook import is_notebook
from kerlint.probe.notebooks import NotebookScripts
from kerlint.probe.options import ProbeOptions
from kerlint.probe.records import ModelEntry, read_models
from kerlint.probe.runner import builds_model, probe_files
from kerlint.reporters import printable
from kerlint.verdict import ProbeVerdict

UNRUNNABLE = frozenset({"KL001", "KL002"})  # a syntax error or an unreadable file: nothing to run
# The most a repository's `[tool.kerlint.probe]` may ask for (a cloned repository is not trusted to size
# its own sandbox); --probe-timeout and --probe-memory-mib on the command line are not capped.
REPOSITORY_CAPS: dict[str, tuple[float, str]] = {
    "timeout_s": (300.0, "timeout = {value:g} s"), "memory_bytes": (16 * 1024**3, "memory-mib = {mib:g}"),
    "train_seconds": (120.0, "train-seconds = {value:g}"), "steps": (2000, "steps = {value:g}"), "jobs": (8, "jobs = {value:g}"),
}


def _capped(config: Mapping[str, Any], warn) -> dict[str, Any]:
    values = dict(config)
    for name, (cap, text) in REPOSITORY_CAPS.items():
        if name in values and values[name] > cap:
            asked, used = text.format(value=values[name], mib=values[name] / 1024**2), text.format(value=cap, mib=cap / 1024**2)
            warn(f"[tool.kerlint.probe] {asked} is over what a repository may set; using {used}"
                 + (" (raise it on the command line: --probe-timeout / --probe-memory-mib)" if name in ("timeout_s", "memory_bytes") else ""))
            values[name] = type(values[name])(cap)
    return values


def _warn(message: str) -> None:
    print(f"kerlint: warning: {printable(message)}", file=sys.stderr)


def options_from(args: Any, config: Mapping[str, Any], warn=_warn) -> ProbeOptions:
    """Command line over `[tool.kerlint.probe]` (capped) over defaults."""
    values = _capped(config, warn)
    if getattr(args, "probe_timeout", None):
        values["timeout_s"] = float(args.probe_timeout)
    if getattr(args, "probe_memory_mib", None):
        values["memory_bytes"] = int(args.probe_memory_mib) * 1024**2
    values["isolation"] = getattr(args, "probe_isolation", None) or "auto"
    values["passed_environment"] = tuple(getattr(args, "probe_env", None) or ())
    if getattr(args, "probe_all", False):
        values["all_models"] = True
    if getattr(args, "probe_report", None):
        values["report_dir"] = Path(args.probe_report)
    for key in ("model", "data"):
        if getattr(args, key, None):
            values[key] = getattr(args, key)
    values.setdefault("jobs", max(1, min(4, (os.cpu_count() or 2) // 2)))
    return ProbeOptions(**values)


def _progress(message: str) -> None:
    if sys.stderr.isatty():
        print(f"kerlint: {message}", file=sys.stderr, flush=True)


def run(args: Any, project: Any, files: list[Path], shown: Any, diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """Probe the files that build a model; the diagnostics with verdicts attached."""
    from kerlint.probe.backend_choice import INSTALL_HINT, installed, keras_backend

    options = options_from(args, getattr(project.config, "probe", {}) or {})
    if not installed("keras"):
        print(f"kerlint: warning: --probe needs Keras and a backend ({INSTALL_HINT}): only the static checks ran",
              file=sys.stderr)
        return diagnostics
    if keras_backend(os.environ) is None:
        print(f"kerlint: warning: --probe needs a Keras backend, and none of tensorflow, jax, torch is installed "
              f"({INSTALL_HINT}): only the static checks ran", file=sys.stderr)
        return diagnostics
    with NotebookScripts() as notebooks:
        return _run(args, options, project, files, shown, diagnostics, notebooks)


def _run(args: Any, options: ProbeOptions, project: Any, files: list[Path], shown: Any, diagnostics: list[Diagnostic],
         notebooks: NotebookScripts) -> list[Diagnostic]:
    from kerlint.probe.attach import attach

    work, sources = [], []
    for path in files:
        try:
            data = path.read_bytes()
        except OSError:
            continue
        name = shown(path)
        codes = {d.code for d in diagnostics if d.path == name}
        script = path
        if is_notebook(name):  # its code cells, joined, run as a script from a scratch directory
            script, data = notebooks.script(path, name, data) or (None, b"")
        if script is not None and builds_model(data) and not codes & UNRUNNABLE:
            work.append((script, name, codes))
            sources.append(path)
    if options.model:
        work.append((None, _model_shown(options.model), set()))
        sources.append(None)
    probes = probe_files(work, options, _progress)
    said: set[str] = set()
    for path, probe in zip(sources, probes):
        isolation = isolation_line(probe.isolation)
        if isolation and isolation not in said:  # once, unless a file got other layers than the first
            said.add(isolation)
            print(f"kerlint: probe: {printable(isolation)}", file=sys.stderr)
        if probe.refused:
            args.probe_refused = True
        diagnostics = notebooks.to_joined(diagnostics, probe.shown)  # a notebook's probe speaks of joined lines
        diagnostics = _attach_one(diagnostics, probe, project.for_file(path), attach)
        diagnostics = notebooks.to_cells(diagnostics, probe.shown)
        models, notes = read_models(probe.document, probe.notes)
        for note in notes:
            print(f"kerlint: probe: {printable(probe.shown)}: {printable(note)}", file=sys.stderr)
        if options.all_models and not any("probe" in d.extra for d in diagnostics if d.path == probe.shown):
            for model in models:
                summary = _summary(model)
                if summary:
                    print(f"kerlint: probe: {printable(probe.shown)}: {printable(summary)}", file=sys.stderr)
    if options.report_dir is not None:
        from kerlint.probe.report import write_reports

        for written in write_reports(options.report_dir, probes):
            _progress(f"probe report: {written}")
    return diagnostics


def isolation_line(layers: list[dict]) -> str:
    """`isolation: landlock, user namespace, ...; not applied: signal scoping (Landlock ABI 5 < 6)`."""
    if not layers:
        return ""
    applied = [str(layer.get("name")) for layer in layers if layer.get("applied")]
    missing: dict[str, list[str]] = {}  # why -> the layers it explains
    for layer in layers:
        if not layer.get("applied"):
            missing.setdefault(str(layer.get("detail")), []).append(str(layer.get("name")))
    text = "; ".join(f"{', '.join(names)} ({why})" for why, names in missing.items())
    return f"isolation: {', '.join(applied) or 'none'}" + (f"; not applied: {text}" if text else "")


def _attach_one(diagnostics: list[Diagnostic], probe: Any, settings: Any, attach: Any) -> list[Diagnostic]:
    """Attach one file's probe; a document the schema let through but that still breaks a reader costs
    only that file its verdicts (and becomes its note), never the other files'."""
    try:
        attached = attach([replace(d, extra=dict(d.extra)) for d in diagnostics], probe, settings)
    except Exception as error:  # noqa: BLE001 - the document came from the user's process
        probe.document = None
        probe.notes.append(f"probe result rejected: {type(error).__name__}: {str(error)[:200]}")
        attached = attach(diagnostics, probe, settings)
    for diagnostic in attached:
        record = diagnostic.extra.get("probe")
        if diagnostic.path == probe.shown and isinstance(record, ProbeVerdict) and probe.isolation:
            diagnostic.extra["probe"] = replace(record, isolation={
                "applied": [layer.get("name") for layer in probe.isolation if layer.get("applied")],
                "not_applied": {layer.get("name"): layer.get("detail") for layer in probe.isolation if not layer.get("applied")},
            })
    return attached


def _model_shown(spec: str) -> str:
    """`pkg.models:build` -> `pkg/models.py` when that file exists here (found without importing anything)."""
    module = spec.partition(":")[0]
    if module.endswith((".keras", ".h5")):
        return module
    for candidate in (Path(*module.split(".")).with_suffix(".py"), Path(*module.split("."), "__init__.py")):
        if candidate.is_file():
            return candidate.as_posix()
    return spec


def _summary(model: ModelEntry) -> str | None:
    """One line for a model trained with --probe=all that no finding speaks for."""
    from kerlint.probe.verdicts import ProbeEvidence

    if model.probe is None or not model.probe.trajectory:
        return None
    evidence = ProbeEvidence(model, model.probe)
    problem = evidence.nonfinite_loss() or evidence.growth() or evidence.collapse()
    where = f"model compiled at line {model.compile_line}" if model.compile_line else "model"
    return f"{where}: {problem or 'nothing abnormal'} ({evidence.summary()}, {model.probe.device})"
