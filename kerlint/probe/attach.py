"""Parent side: fold a file's probe into its diagnostics.

- Inspector findings (rules run on the built model) that static analysis already reported — same
  code in the same file — are merged into the static one; the others become new diagnostics, marked
  "(built model)".
- Each finding of a rule with a probe check (`Rule.probe_check`) gets `extra["probe"]`, a ProbeVerdict
  {verdict, evidence, steps, seconds, device, grad_norms}, from the model whose recorded lines (layer,
  compile, optimizer, fit) include the finding's line, else the first probed model.
"""

from __future__ import annotations

from kerlint.diagnostic import Diagnostic, Related, Span
from kerlint.probe.records import FindingEntry, ModelEntry, ProbeRun, read_models
from kerlint.probe.runner import FileProbe
from kerlint.probe.verdicts import INCONCLUSIVE, judge, probed
from kerlint.registry import rule_by_code
from kerlint.settings import LintSettings
from kerlint.verdict import ProbeVerdict

MAX_NORMS = 200


def _inspector_diagnostic(finding: FindingEntry, shown: str) -> Diagnostic | None:
    rule = rule_by_code(finding.code)
    if rule is None:
        return None
    return Diagnostic(
        code=rule.code, name=rule.name, tag=rule.tag, severity=rule.severity,
        message=finding.message + " (built model)", path=shown, span=Span.point(finding.line, finding.col),
        fix=finding.fix or rule.fix, url=rule.url(),
        related=tuple(Related(Span.point(line), message) for line, message in finding.related),
        extra={"source": "inspector"},
    )


def _steps_total(model: ModelEntry | dict) -> int | None:
    return (model if isinstance(model, ModelEntry) else ModelEntry.from_json(model)).steps_total


def _probe_record(code: str, model: ModelEntry | None, notes: list[str]) -> ProbeVerdict | None:
    if model is None:
        if not probed(code):
            return None
        why = "; ".join(notes) or "no compiled model was captured"
        return ProbeVerdict(INCONCLUSIVE, f"not probed: {why}", steps=0, seconds=0.0, device=None,
                            notes=tuple(notes) if notes else None)
    run = model.probe or ProbeRun()  # no result (the child stopped before the probe): no step ran
    if run.skipped is not None:
        return None
    found = judge(code, model, run, model.steps_total)
    if found is None:
        return None
    return ProbeVerdict(found.verdict, found.evidence, steps=len(run.trajectory), seconds=run.seconds, backend=run.backend,
                        device=run.device,
                        grad_norms=tuple(row.grad_norm for row in run.trajectory[:MAX_NORMS]),
                        notes=tuple(notes) if notes else None)


def _owner(diagnostic: Diagnostic, models: list[ModelEntry]) -> ModelEntry | None:
    tried = [m for m in models if m.probe is not None and m.probe.attempted]
    for model in tried:
        if diagnostic.span.line in model.lines:
            return model
    return tried[0] if tried else (models[0] if models else None)


def attach(diagnostics: list[Diagnostic], probe: FileProbe, settings: LintSettings) -> list[Diagnostic]:
    """The file's diagnostics with inspector findings merged in and probe verdicts attached."""
    models, notes = read_models(probe.document, probe.notes)
    mine = [d for d in diagnostics if d.path == probe.shown]
    static_codes = {d.code for d in mine}
    added = []
    for model in models:
        for finding in model.findings:
            code = finding.code
            if code not in settings.enabled:
                continue
            if code in static_codes:
                for d in mine:
                    if d.code == code:
                        d.extra["built_model"] = "also found in the built model"
                continue
            made = _inspector_diagnostic(finding, probe.shown)
            if made is not None:
                static_codes.add(code)
                added.append(made)
    for diagnostic in mine + added:
        record = _probe_record(diagnostic.code, _owner(diagnostic, models), notes)
        if record is not None:
            diagnostic.extra["probe"] = record
    return sorted(diagnostics + added, key=Diagnostic.sort_key)
