"""Rule documentation generated from the rules themselves: `docs/rules.md` and the README's rule table.

    python -m kerlint.docs --write   # regenerate both
    python -m kerlint.docs --check   # exit 1 when either is stale
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from kerlint.registry import all_rules
from kerlint.rule import Rule

REPO = Path(__file__).resolve().parent.parent
RULES_MD = REPO / "docs" / "rules.md"
README = REPO / "README.md"
TABLE_START = "<!-- rules:start -->"
TABLE_END = "<!-- rules:end -->"
REGENERATE = "python -m kerlint.docs --write"


def record(rule: type[Rule]) -> dict:
    """What `kerlint rules --output-format json` lists for one rule."""
    return {
        "code": rule.code,
        "name": rule.name,
        "tags": [rule.tag],
        "severity": rule.severity.label,
        "fix": rule.fixable,
        "summary": rule.summary,
        "url": rule.url(),
    }


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def rule_table(link_prefix: str) -> str:
    rows = [
        "| Code | Name | Family | Severity | Fix | Summary |",
        "|---|---|---|---|---|---|",
    ]
    for rule in all_rules():
        code = f"[{rule.code}]({link_prefix}#{rule.anchor()})"
        rows.append(f"| {code} | `{rule.name}` | {rule.tag} | {rule.severity.label} | {rule.fixable or ''} | {_cell(rule.summary)} |")
    return "\n".join(rows) + "\n"


def _demote_headings(markdown: str) -> str:
    """One level down, outside code fences: each rule's `# title` becomes a section of rules.md."""
    out, fenced = [], False
    for line in markdown.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        out.append("#" + line if not fenced and line.startswith("#") else line)
    return "\n".join(out)


def render_rules_md() -> str:
    parts = [
        "# kerlint rules",
        f"<!-- Generated from the rules in rules/ by `{REGENERATE}`; do not edit by hand. -->",
        "Every rule, its family and default severity. Select or ignore rules by code prefix, family or "
        "name (see the README's Configuration section).",
        "## Index",
        rule_table("").rstrip(),
    ]
    for rule in all_rules():
        parts.append(f'<a id="{rule.anchor()}"></a>\n\n{_demote_headings(rule.docs()).rstrip()}')
    return "\n\n".join(parts) + "\n"


def render_readme(current: str) -> str:
    """The README with the text between the rules markers replaced by the generated table."""
    pattern = re.compile(re.escape(TABLE_START) + r".*?" + re.escape(TABLE_END), re.DOTALL)
    if not pattern.search(current):
        raise ValueError(f"README.md has no {TABLE_START} ... {TABLE_END} markers")
    table = f"{TABLE_START}\n{rule_table('docs/rules.md')}{TABLE_END}"
    return pattern.sub(lambda _: table, current, count=1)


def stale_files() -> list[Path]:
    """The generated files whose content differs from what the rules say now."""
    stale = []
    if not RULES_MD.is_file() or RULES_MD.read_text(encoding="utf-8") != render_rules_md():
        stale.append(RULES_MD)
    readme = README.read_text(encoding="utf-8") if README.is_file() else ""
    try:
        if render_readme(readme) != readme:
            stale.append(README)
    except ValueError:
        stale.append(README)
    return stale


def write() -> None:
    RULES_MD.parent.mkdir(exist_ok=True)
    RULES_MD.write_text(render_rules_md(), encoding="utf-8")
    README.write_text(render_readme(README.read_text(encoding="utf-8")), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kerlint.docs", description=__doc__.splitlines()[0])
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--write", action="store_true", help="regenerate docs/rules.md and the README table")
    action.add_argument("--check", action="store_true", help="exit 1 when they are stale")
    args = parser.parse_args(argv)
    if not (REPO / "pyproject.toml").is_file():
        parser.error(f"{REPO} is not a kerlint source checkout; the docs are generated there")
    if args.write:
        write()
        return 0
    stale = stale_files()
    for path in stale:
        print(f"{path.relative_to(REPO)} is stale: run `{REGENERATE}`", file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    raise SystemExit(main())
