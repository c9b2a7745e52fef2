"""SARIF 2.1.0, as GitHub code scanning ingests it: one run, every rule as a reporting descriptor,
results with 1-based regions, repo-relative URIs and a fingerprint that survives unrelated edits.
In a notebook the region counts within the finding's cell, named by `properties.cell` (of the result,
and of each related location)."""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections import Counter
from pathlib import Path
from urllib.parse import quote

from kerlint import __version__
from kerlint.diagnostic import Diagnostic, Severity, Span
from kerlint.engine import SourceError, decode_source
from kerlint.notebook import cell_lines
from kerlint.registry import all_rules
from kerlint.reporters.report import Report
from kerlint.rule import DOCS_URL

SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
INFORMATION_URI = DOCS_URL.split("/blob/")[0]
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "kerlint/v1"  # GitHub computes its own primaryLocationLineHash next to it
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def _descriptor(rule) -> dict:
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": " ".join(rule.what_it_does.split())},
        "help": {"text": rule.docs(), "markdown": rule.docs()},
        "helpUri": rule.url(),
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {"tags": [rule.tag]},
    }


def _ad_hoc_descriptor(diagnostic: Diagnostic) -> dict:
    """A finding whose code no registered rule has (should not happen): still a valid descriptor."""
    descriptor = {"id": diagnostic.code, "name": diagnostic.name, "shortDescription": {"text": diagnostic.name},
                  "defaultConfiguration": {"level": LEVELS[diagnostic.severity]}, "properties": {"tags": [diagnostic.tag]}}
    if diagnostic.url:
        descriptor["helpUri"] = diagnostic.url
    return descriptor


def artifact_location(path: str) -> dict:
    """A display path (relative to the current directory, `/`-separated) as a SARIF artifactLocation:
    relative under %SRCROOT% (the directory kerlint ran in), an absolute file URI otherwise."""
    if os.path.isabs(path) or path == ".." or path.startswith("../"):
        return {"uri": Path(os.path.abspath(path)).as_uri()}
    return {"uri": quote(path, safe="/"), "uriBaseId": SRCROOT}


def region(span: Span) -> dict | None:
    if span.line < 1:
        return None
    end_line = max(span.end_line, span.line)
    end_col = span.end_col if end_line > span.line else max(span.end_col, span.col)
    return {"startLine": span.line, "startColumn": span.col + 1, "endLine": end_line, "endColumn": end_col + 1}


def _physical(path: str, span: Span) -> dict:
    physical = {"artifactLocation": artifact_location(path)}
    found = region(span)
    if found:
        physical["region"] = found
    return physical


def _source_lines(data: bytes | None) -> list[str]:
    if data is None:
        return []
    try:
        return _LINE_BREAK.split(decode_source(data, max_bytes=len(data)))
    except SourceError:
        return []


def fingerprints(report: Report) -> list[str]:
    """One per diagnostic: a hash of the rule, the path, the finding's source line with its
    whitespace stripped, and how many identical (rule, path, line text) findings came before it.
    Inserting or removing unrelated lines above a finding leaves it unchanged."""
    lines_by_path: dict[str, list[str]] = {}
    seen: Counter = Counter()
    out = []
    for diagnostic in report.diagnostics:
        if diagnostic.path not in lines_by_path:
            lines_by_path[diagnostic.path] = _source_lines(report.sources.get(diagnostic.path))
        lines = lines_by_path[diagnostic.path]
        if diagnostic.cell is not None:
            lines = list(cell_lines(report.sources.get(diagnostic.path) or b"").get(diagnostic.cell, ()))
        text = lines[diagnostic.span.line - 1].strip() if 1 <= diagnostic.span.line <= len(lines) else ""
        key = (diagnostic.code, diagnostic.path, text)
        occurrence = seen[key]
        seen[key] += 1
        material = "\0".join((diagnostic.code, diagnostic.path, text, str(occurrence)))
        out.append(hashlib.sha256(material.encode("utf-8", "surrogatepass")).hexdigest()[:32])
    return out


def _result(diagnostic: Diagnostic, index: int, fingerprint: str) -> dict:
    result = {
        "ruleId": diagnostic.code,
        "ruleIndex": index,
        "level": LEVELS[diagnostic.severity],
        "message": {"text": diagnostic.message},
        "locations": [{"physicalLocation": _physical(diagnostic.path, diagnostic.span)}],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint},
    }
    if diagnostic.related:
        result["relatedLocations"] = [
            {"id": number, "physicalLocation": _physical(diagnostic.path, related.span), "message": {"text": related.message},
             **({"properties": {"cell": related.cell}} if related.cell is not None else {})}
            for number, related in enumerate(diagnostic.related, start=1)
        ]
    properties = {"fix": diagnostic.fix} if diagnostic.fix else {}
    if diagnostic.cell is not None:
        properties["cell"] = diagnostic.cell
    if diagnostic.probe:  # a training probe's verdict: in the message and as data
        result["message"]["text"] += f" [{diagnostic.probe.text()}]"
        properties["probe"] = diagnostic.probe.to_json()
    if properties:
        result["properties"] = properties
    return result


def log(report: Report) -> dict:
    """The SARIF log as a dict (what `render` serializes)."""
    descriptors = [_descriptor(rule) for rule in all_rules()]
    index = {descriptor["id"]: number for number, descriptor in enumerate(descriptors)}
    for diagnostic in report.diagnostics:
        if diagnostic.code not in index:
            index[diagnostic.code] = len(descriptors)
            descriptors.append(_ad_hoc_descriptor(diagnostic))
    results = [
        _result(diagnostic, index[diagnostic.code], fingerprint)
        for diagnostic, fingerprint in zip(report.diagnostics, fingerprints(report))
    ]
    run = {
        "tool": {"driver": {"name": "kerlint", "version": __version__, "semanticVersion": __version__,
                            "informationUri": INFORMATION_URI, "rules": descriptors}},
        "originalUriBaseIds": {SRCROOT: {"uri": Path.cwd().as_uri().rstrip("/") + "/"}},
        "columnKind": "unicodeCodePoints",
        "results": results,
    }
    return {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}


def render(report: Report) -> str:
    return json.dumps(log(report), indent=2, ensure_ascii=False) + "\n"
