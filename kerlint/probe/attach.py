"""Parent side: fold a file's probe into its diagnostics.

- Inspector findings (rules run on the built model) that static analysis already reported — same
  code in the same file — are merged into the static one; the others become new diagnostics, marked
  "(built model)".
- Each finding of a family a short run can speak to (KL1xx-KL5xx) gets `extra["probe"]`:
  {verdict, evidence, steps, seconds, device, grad_norms}, from the model whose recorded lines (layer,
  compile, optimizer, fit) include the finding's line, else the first probed model.
"""

from __future__ import annotations

from kerlint.diagnostic import Diagnostic, Related, Span
from kerlint.settings import LintSettings
from kerlint.probe.runner import FileProbe
from kerlint.probe.verdicts import INCONCLUSIVE, verdict
from kerlint.registry import rule_by_code

MAX_NORMS = 200


def _lines(model: dict) -> set[int]:
    lines = {model.get("line"), model.get("compile_line"), (model.get("optimizer") or {}).get("line")}
    lines |= {o.get("line") for o in model.get("outputs") or []}
    lines |= {r.get("line") for r in model.get("runs") or []}
    lines |= {f["line"] for f in model.get("findings") or []}
    return {line for line in lines if line}


def _inspector_diagnostic(finding: dict, shown: str) -> Diagnostic | None:
    rule = rule_by_code(finding["code"])
    if rule is None:
        return None
    return Diagnostic(
        code=rule.code, name=rule.name, tag=rule.tag, severity=rule.severity,
        message=finding["message"] + " (built model)", path=shown, span=Span.point(finding["line"], finding["col"]),
        fix=finding.get("fix") or rule.fix, url=rule.url(),
        related=tuple(Related(Span.point(r["line"]), r["message"]) for r in finding.get("related", [])),
        extra={"source": "inspector"},
    )


def _steps_total(model: dict) -> int | None:
    totals = [r["epochs"] * r["steps_per_epoch"] for r in model.get("runs") or []
              if isinstance(r.get("epochs"), int) and isinstance(r.get("steps_per_epoch"), int)]
    return max(totals) if totals else None


def _norms(result: dict) -> list[float]:
    norms = []
    for row in (result or {}).get("trajectory") or []:
        value = row["grad_norm"]
        norms.append(float(value))
    return norms[:MAX_NORMS]


def _probe_record(code: str, model: dict | None, notes: list[str]) -> dict | None:
    if model is None:
        if not code.startswith(("KL1", "KL2", "KL3", "KL4", "KL5")):
            return None
        why = "; ".join(notes) or "no compiled model was captured"
        return {"verdict": INCONCLUSIVE, "evidence": f"not probed: {why}", "steps": 0, "seconds": 0.0, "device": None}
    result = model.get("probe") or {}
    if "skipped" in result:
        return None
    found = verdict(code, model, result, _steps_total(model))
    if found is None:
        return None
    found.update({"steps": len(result.get("trajectory") or []), "seconds": result.get("seconds", 0.0),
                  "device": result.get("device"), "grad_norms": _norms(result)})
    return found


def _owner(diagnostic: Diagnostic, models: list[dict]) -> dict | None:
    probed = [m for m in models if "trajectory" in (m.get("probe") or {}) or "error" in (m.get("probe") or {})]
    for model in probed:
        if diagnostic.span.line in _lines(model):
            return model
    return probed[0] if probed else (models[0] if models else None)


def attach(diagnostics: list[Diagnostic], probe: FileProbe, settings: LintSettings) -> list[Diagnostic]:
    """The file's diagnostics with inspector findings merged in and probe verdicts attached."""
    mine = [d for d in diagnostics if d.path == probe.shown]
    static_codes = {d.code for d in mine}
    added = []
    for model in probe.models:
        for finding in model.get("findings") or []:
            code = finding["code"]
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
        record = _probe_record(diagnostic.code, _owner(diagnostic, probe.models), probe.notes)
        if record is not None:
            if probe.notes:
                record["notes"] = list(probe.notes)
            diagnostic.extra["probe"] = record
    return sorted(diagnostics + added, key=Diagnostic.sort_key)
