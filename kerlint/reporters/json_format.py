"""A JSON list of findings with 1-based rows and columns: the stable machine-readable format.
In a notebook a finding (and a related place) also has `cell`, and its rows count within that cell."""

from __future__ import annotations

import json

from kerlint.diagnostic import Diagnostic
from kerlint.reporters.report import Report


def _location(line: int, col: int) -> dict[str, int]:
    return {"row": line, "column": col + 1}


def finding(diagnostic: Diagnostic) -> dict:
    span = diagnostic.span
    record = {
        "code": diagnostic.code,
        "name": diagnostic.name,
        "tags": [diagnostic.tag],
        "severity": diagnostic.severity.label,
        "message": diagnostic.message,
        "filename": diagnostic.path,
        "location": _location(span.line, span.col),
        "end_location": _location(span.end_line, span.end_col),
        "url": diagnostic.url,
        "fix": diagnostic.fix,
        "related": [
            {"filename": diagnostic.path, "location": _location(r.span.line, r.span.col), "message": r.message,
             **({"cell": r.cell} if r.cell is not None else {})}
            for r in diagnostic.related
        ],
    }
    if diagnostic.cell is not None:  # a notebook: rows count from the top of this cell
        record["cell"] = diagnostic.cell
    if diagnostic.probe is not None:
        record["probe"] = diagnostic.probe.to_json()
    return record


def render(report: Report) -> str:
    return json.dumps([finding(d) for d in report.diagnostics], indent=2, ensure_ascii=False) + "\n"
