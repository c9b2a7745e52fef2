"""kerlint Diagnostic -> LSP Diagnostic (code, docs link, severity, related places)."""

from __future__ import annotations

from lsprotocol import types

from kerlint.diagnostic import Diagnostic, Severity
from kerlint.lsp.positions import to_range
from kerlint.verdict import ProbeVerdict

SOURCE = "kerlint"

SEVERITIES = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.INFO: types.DiagnosticSeverity.Information,
}


def probe_note(probe: ProbeVerdict) -> str:
    """One line for a probe verdict: "probe: confirmed — loss NaN at step 17"."""
    parts = [f"probe: {probe.verdict}" if probe.verdict else "probe"]
    if probe.evidence:
        parts.append(probe.evidence)
    return " — ".join(parts)


def to_lsp(diagnostic: Diagnostic, uri: str, lines: list[str], encoding: str) -> types.Diagnostic:
    message = diagnostic.message
    if diagnostic.probe:
        message = f"{message}\n{probe_note(diagnostic.probe)}"
    related = [
        types.DiagnosticRelatedInformation(
            location=types.Location(uri=uri, range=to_range(lines, item.span, encoding)), message=item.message
        )
        for item in diagnostic.related
    ]
    return types.Diagnostic(
        range=to_range(lines, diagnostic.span, encoding),
        message=message,
        severity=SEVERITIES.get(diagnostic.severity, types.DiagnosticSeverity.Warning),
        code=diagnostic.code,
        code_description=types.CodeDescription(href=diagnostic.url) if diagnostic.url else None,
        source=SOURCE,
        related_information=related or None,
        data={"name": diagnostic.name},
    )
