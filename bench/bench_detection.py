"""Detection benchmark: recall on real faulty programs and false alarms on published correct code.

Runs `kerlint check` (static path, default rule selection) once over a corpus laid out as
`../shared/corpus/` is (see its README) and prints the measures that README defines:

- recall by dup group, per rule family and overall, over the evident in-family cases;
- at the line: of the found groups whose cases have labelled lines, the share with a finding of
  the case's families within +-2 lines of a labelled line;
- persists on the fix: of the found cases that have a fixed version, the share where the fixed
  version still gets a finding of the same family;
- false alarms on clean code: findings outside `api-compat` and the engine's own diagnostics, per
  100 clean files. Each one is listed with `--list`; which of them are real hazards is judged in
  BENCHMARKS.md, not here (nothing in the project names a corpus file).

    python bench/bench_detection.py [CORPUS] [--list] [--json] [--quick]

`--quick` checks a handful of cases and clean files: CI runs it to prove the script and the corpus
still work, with no threshold on the numbers. Exit status: 0 after printing the table, 2 when the
corpus is missing or kerlint fails.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = REPO.parent / "shared" / "corpus"
NOT_FALSE_ALARM_TAGS = {"api-compat", "kerlint"}  # compat notes and the engine's own diagnostics
LINE_TOLERANCE = 2
QUICK_CASES = 12
QUICK_CLEAN = 10


@dataclass
class Case:
    id: str
    families: list[str]
    evident: bool
    dup_group: str
    buggy_lines: object  # a list of lines, or {path: [lines]} for multi-file programs
    buggy: Path
    fixed: Path | None


@dataclass
class Finding:
    path: str
    line: int
    code: str
    family: str
    message: str


@dataclass
class Results:
    findings: dict[str, list[Finding]] = field(default_factory=lambda: defaultdict(list))


def load_cases(corpus: Path) -> list[Case]:
    cases = []
    for line in (corpus / "buggy" / "INDEX.jsonl").read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        folder = corpus / "buggy" / row["id"]
        buggy = folder / "buggy.py" if (folder / "buggy.py").exists() else folder / "buggy"
        fixed = next((p for p in (folder / "fixed.py", folder / "fixed") if p.exists()), None)
        cases.append(Case(
            id=row["id"], families=list(row.get("families") or []),
            evident=bool(row.get("in_rule_family")) and bool(row.get("evident_static_violation")),
            dup_group=row.get("dup_group") or row["id"], buggy_lines=row.get("buggy_lines") or [],
            buggy=buggy, fixed=fixed,
        ))
    return cases


def run_kerlint(corpus: Path, paths: list[Path]) -> dict[str, list[Finding]]:
    """One kerlint process over every path; findings keyed by path relative to the corpus."""
    relative = [str(p.relative_to(corpus)) for p in paths]
    # --no-cache: the corpus is read-only data (a cache would be written inside it), and each run is cold
    command = [sys.executable, "-m", "kerlint", "check", "--no-cache", "--output-format", "json", "--exit-zero",
               *relative]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run(command, cwd=corpus, capture_output=True, text=True, env=env, timeout=900)
    if done.returncode != 0:
        raise RuntimeError(f"kerlint exited with {done.returncode}: {done.stderr[-2000:]}")
    found: dict[str, list[Finding]] = defaultdict(list)
    for item in json.loads(done.stdout):
        tags = item.get("tags") or [""]
        found[item["filename"]].append(
            Finding(item["filename"], item["location"]["row"], item["code"], tags[0], item["message"]))
    return found


def findings_under(found: dict[str, list[Finding]], corpus: Path, target: Path) -> list[Finding]:
    rel = str(target.relative_to(corpus))
    if target.is_file():
        return list(found.get(rel, []))
    return [f for path, items in found.items() if path.startswith(rel + "/") for f in items]


def near_labelled_line(finding: Finding, case: Case, corpus: Path) -> bool:
    labelled = case.buggy_lines
    if isinstance(labelled, dict):
        base = str(case.buggy.relative_to(corpus))
        lines = [n for path, ns in labelled.items() if finding.path == f"{base}/{path}" for n in ns]
    else:
        lines = list(labelled)
    return any(abs(finding.line - n) <= LINE_TOLERANCE for n in lines)


def has_labelled_lines(case: Case) -> bool:
    labelled = case.buggy_lines
    return any(labelled.values()) if isinstance(labelled, dict) else bool(labelled)


def score(corpus: Path, cases: list[Case], clean: list[Path], found: dict[str, list[Finding]]) -> dict:
    groups: dict[str, list[Case]] = defaultdict(list)
    for case in cases:
        if case.evident and case.families:
            groups[case.dup_group].append(case)

    def family_hits(case: Case, target: Path) -> list[Finding]:
        return [f for f in findings_under(found, corpus, target) if f.family in case.families]

    per_family: dict[str, list[int]] = defaultdict(lambda: [0, 0])  # family -> [found, total]
    found_groups, at_line, line_scored, missed = 0, 0, 0, []
    for name, members in sorted(groups.items()):
        hits = {case.id: family_hits(case, case.buggy) for case in members}
        is_found = any(hits.values())
        for family in sorted({f for case in members for f in case.families}):
            per_family[family][1] += 1
            per_family[family][0] += is_found
        if not is_found:
            missed.append(name)
            continue
        found_groups += 1
        scored = [c for c in members if hits[c.id] and has_labelled_lines(c)]
        if scored:
            line_scored += 1
            at_line += any(near_labelled_line(f, c, corpus) for c in scored for f in hits[c.id])

    # Persists on the fix: every in-family case found on its buggy version that has a fixed one.
    persisted, fixable = [], 0
    for case in cases:
        if case.families and case.fixed is not None and family_hits(case, case.buggy):
            fixable += 1
            if family_hits(case, case.fixed):
                persisted.append(case.id)

    alarms = [f for path in clean for f in findings_under(found, corpus, path) if f.family not in NOT_FALSE_ALARM_TAGS]
    return {
        "groups": len(groups), "found": found_groups, "missed": missed,
        "per_family": {k: {"found": v[0], "total": v[1]} for k, v in sorted(per_family.items())},
        "at_line": at_line, "line_scored": line_scored,
        "persists": len(persisted), "fixable": fixable, "persisted_cases": persisted,
        "clean_files": len(clean), "alarms": [vars(a) for a in sorted(alarms, key=lambda a: (a.path, a.line, a.code))],
    }


def ratio(num: int, den: int) -> str:
    return f"{num}/{den} = {100 * num / den:.1f}%" if den else "n/a"


def render(result: dict, seconds: float, show_list: bool) -> str:
    lines = []
    if show_list:
        lines.append("Missed groups: " + (", ".join(result["missed"]) or "none"))
        lines.append("Persisting on the fix: " + (", ".join(result["persisted_cases"]) or "none"))
        lines.append("Clean-code alarms:")
        lines += [f"  {a['path']}:{a['line']}: {a['code']} {a['message']}" for a in result["alarms"]] or ["  none"]
        lines.append("")
    lines.append(f"kerlint detection benchmark ({seconds:.1f} s)")
    lines.append("| measure | value |")
    lines.append("|---|---|")
    for family, counts in result["per_family"].items():
        lines.append(f"| recall {family} | {ratio(counts['found'], counts['total'])} |")
    lines.append(f"| recall overall (dup groups) | {ratio(result['found'], result['groups'])} |")
    lines.append(f"| at the line (+-{LINE_TOLERANCE}) | {ratio(result['at_line'], result['line_scored'])} |")
    lines.append(f"| persists on the fix | {ratio(result['persists'], result['fixable'])} |")
    alarms, files = len(result["alarms"]), result["clean_files"]
    per_100 = f"{100 * alarms / files:.1f}" if files else "n/a"
    lines.append(f"| false alarms per 100 clean files | {per_100} ({alarms} on {files} files) |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--list", action="store_true", help="list missed groups, persisting cases and every clean-code alarm")
    parser.add_argument("--json", action="store_true", help="print the scores as JSON")
    parser.add_argument("--quick", action="store_true", help=f"only {QUICK_CASES} cases and {QUICK_CLEAN} clean files (CI smoke run)")
    args = parser.parse_args(argv)

    corpus = args.corpus.resolve()
    if not (corpus / "buggy" / "INDEX.jsonl").is_file() or not (corpus / "clean").is_dir():
        print(f"no corpus at {corpus} (expected buggy/INDEX.jsonl and clean/)", file=sys.stderr)
        return 2
    cases = load_cases(corpus)
    clean = sorted(p for p in (corpus / "clean").rglob("*.py") if p.is_file())
    if args.quick:
        evident = [c for c in cases if c.evident][: QUICK_CASES // 2]
        cases = evident + [c for c in cases if c not in evident][: QUICK_CASES - len(evident)]
        clean = clean[:QUICK_CLEAN]
    targets = [c.buggy for c in cases] + [c.fixed for c in cases if c.fixed is not None] + clean

    start = time.perf_counter()
    try:
        found = run_kerlint(corpus, targets)
    except (RuntimeError, subprocess.TimeoutExpired, json.JSONDecodeError) as error:
        print(f"kerlint failed on the corpus: {error}", file=sys.stderr)
        return 2
    result = score(corpus, cases, clean, found)
    seconds = time.perf_counter() - start
    print(json.dumps(result, indent=2) if args.json else render(result, seconds, args.list))
    return 0


if __name__ == "__main__":
    sys.exit(main())
