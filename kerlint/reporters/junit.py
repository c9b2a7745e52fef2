"""JUnit XML for CI test dashboards: one <testsuite name="kerlint">, one <testcase> per finding
(failed, with the message), or a single passing <testcase> when there are none."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from kerlint.diagnostic import Diagnostic, position_text
from kerlint.reporters.report import Report, printable

SUITE = "kerlint"


def _clean(text: str) -> str:
    """XML 1.0 can't carry control characters or lone surrogates: show them escaped instead."""
    return printable(text)


def _testcase(suite: ET.Element, diagnostic: Diagnostic) -> None:
    where = f"{diagnostic.path}:{position_text(diagnostic.span.line, diagnostic.span.col, diagnostic.cell)}"
    case = ET.SubElement(suite, "testcase", classname=_clean(diagnostic.path),
                         name=_clean(f"{diagnostic.code} {diagnostic.name} at {where}"),
                         file=_clean(diagnostic.path), line=str(diagnostic.span.line))
    failure = ET.SubElement(case, "failure", message=_clean(f"{diagnostic.code} {diagnostic.message}"),
                            type=diagnostic.severity.label)
    body = [f"{where}: {diagnostic.code} [{diagnostic.severity.label}] {diagnostic.message}"]
    body += [f"note: {diagnostic.path}:{position_text(r.span.line, r.span.col, r.cell)}: {r.message}"
             for r in diagnostic.related]
    if diagnostic.probe:
        body.append(diagnostic.probe.text())
    if diagnostic.fix:
        body.append(f"help: {diagnostic.fix}")
    if diagnostic.url:
        body.append(f"docs: {diagnostic.url}")
    failure.text = "\n".join(_clean(line) for line in body)


def render(report: Report) -> str:
    findings = list(report.diagnostics)
    tests = max(len(findings), 1)
    root = ET.Element("testsuites", name=SUITE, tests=str(tests), failures=str(len(findings)), errors="0")
    suite = ET.SubElement(root, "testsuite", name=SUITE, tests=str(tests), failures=str(len(findings)),
                          errors="0", skipped="0")
    properties = ET.SubElement(suite, "properties")
    ET.SubElement(properties, "property", name="files_checked", value=str(report.files_checked))
    for diagnostic in findings:
        _testcase(suite, diagnostic)
    if not findings:
        ET.SubElement(suite, "testcase", classname=SUITE, name=f"no findings in {report.files_checked} files")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
