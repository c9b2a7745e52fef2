"""`--statistics`: how many findings each rule produced, most frequent first."""

from __future__ import annotations

import json
from collections import Counter

from kerlint.reporters.report import Report
from kerlint.reporters.summary import summary_line


def rows(report: Report) -> list[dict]:
    counts = Counter(diagnostic.code for diagnostic in report.diagnostics)
    first = {}
    for diagnostic in report.diagnostics:
        first.setdefault(diagnostic.code, diagnostic)
    ordered = sorted(counts, key=lambda code: (-counts[code], code))
    return [
        {"code": code, "name": first[code].name, "severity": first[code].severity.label, "count": counts[code]}
        for code in ordered
    ]


def render(report: Report, output_format: str) -> str:
    table = rows(report)
    if output_format == "json":
        return json.dumps(table, indent=2) + "\n"
    width = max((len(str(row["count"])) for row in table), default=1)
    name_width = max((len(row["name"]) for row in table), default=0)
    lines = [
        f"{row['count']:>{width}}  {row['code']}  {row['name']:<{name_width}}  {row['severity']}".rstrip()
        for row in table
    ]
    lines.append(summary_line(report.diagnostics, report.files_checked))
    return "\n".join(lines) + "\n"
