"""Parent side glue for `kerlint check --probe`: options, which files, run, attach, notes, reports."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, Mapping

from kerlint.diagnostic import Diagnostic
from kerlint.notebook import is_notebook
from kerlint.probe.notebooks import NotebookScripts
from kerlint.probe.options import ProbeOptions
from kerlint.probe.records import ModelEntry, read_models
from kerlint.probe.runner import builds_model, probe_files
from kerlint.reporters import printable

UNRUNNABLE = frozenset({"KL001", "KL002"})  # a syntax error or an unreadable file: nothing to run


def options_from(args: Any, config: Mapping[str, Any]) -> ProbeOptions:
    """Command line over `[tool.kerlint.probe]` over defaults."""
    values = dict(config)
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
    options = options_from(args, getattr(project.config, "probe", {}) or {})
    import importlib.util

    if importlib.util.find_spec("keras") is None:  # looks for it without importing it
        print("kerlint: warning: --probe needs Keras and a backend (pip install 'kerlint[keras]'): "
              "only the static checks ran", file=sys.stderr)
        return diagnostics
    with NotebookScripts() as notebooks:
        return _run(options, project, files, shown, diagnostics, notebooks)


def _run(options: ProbeOptions, project: Any, files: list[Path], shown: Any, diagnostics: list[Diagnostic],
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
    for path, probe in zip(sources, probes):
        models, notes = read_models(probe.document, probe.notes)
        for note in notes:
            print(f"kerlint: probe: {printable(probe.shown)}: {printable(note)}", file=sys.stderr)
        diagnostics = notebooks.to_joined(diagnostics, probe.shown)  # a notebook's probe speaks of joined lines
        diagnostics = attach(diagnostics, probe, project.for_file(path))
        diagnostics = notebooks.to_cells(diagnostics, probe.shown)
        if options.all_models and not any("probe" in d.extra for d in diagnostics if d.path == probe.shown):
            for model in models:
                summary = _summary(model)
                if summary:
                    print(f"kerlint: probe: {printable(probe.shown)}: {summary}", file=sys.stderr)
    if options.report_dir is not None:
        from kerlint.probe.report import write_reports

        for written in write_reports(options.report_dir, probes):
            _progress(f"probe report: {written}")
    return diagnostics


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
