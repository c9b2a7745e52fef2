"""Output formats. Each reporter turns one Report into the text written to stdout.

To add a format, write a module with `render(report) -> str` and register it in `_registry`.
"""

from __future__ import annotations

from kerlint.reporters.report import Report, Reporter, printable

__all__ = ["MACHINE_FORMATS", "REPORTERS", "SOURCE_FORMATS", "Report", "Reporter", "printable"]


def _registry() -> dict[str, Reporter]:
    from kerlint.reporters import concise, full, github, json_format, junit, sarif

    return {
        "concise": concise.render, "full": full.render, "json": json_format.render,
        "sarif": sarif.render, "github": github.render, "junit": junit.render,
    }


REPORTERS: dict[str, Reporter] = _registry()
# Formats that are pure data on stdout: no summary line, no human chatter.
MACHINE_FORMATS = frozenset({"json", "sarif", "junit"})
# Formats that quote source lines (the full format's excerpts, SARIF's fingerprints): they get the files' bytes.
SOURCE_FORMATS = frozenset({"full", "sarif"})
