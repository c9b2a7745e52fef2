"""The `kerlint` command: `check` (the default), `rule`, `rules`, `lsp`, `clean`.

Exit codes: 0 nothing at or above --fail-on was found, 1 it was, 2 a usage or configuration error
or a path that does not exist (the other paths are still checked and reported).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from kerlint import __version__
from kerlint.config import Config, ConfigError, discover_config, load_config
from kerlint.diagnostic import Severity
from kerlint.discovery import discover
from kerlint.docs import record
from kerlint.paths import display_path
from kerlint.registry import all_rules
from kerlint.reporters import MACHINE_FORMATS, REPORTERS, SOURCE_FORMATS, Report, printable, statistics
from kerlint.batch import lint_files
from kerlint.cache import DIRECTORY_NAME, ENVIRONMENT_VARIABLE, Cache, clean, default_directory
from kerlint.runner import FileResult, RunResult, Task, unreadable
from kerlint.selection import SelectorError
from kerlint.settings import Overrides, ProjectSettings

SUBCOMMANDS = ("check", "rule", "rules", "lsp", "clean")
TOP_LEVEL_FLAGS = ("-h", "--help", "--version")
USAGE_ERROR = 2
STDIN = "-"


def _error(message: str) -> None:
    print(f"kerlint: error: {printable(message)}", file=sys.stderr)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kerlint",
        description="A linter for Keras training code. `kerlint PATHS...` is short for `kerlint check PATHS...`.",
    )
    parser.add_argument("--version", action="version", version=f"kerlint {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    check = commands.add_parser("check", help="check files and directories (the default command)")
    check.add_argument("paths", nargs="*", metavar="PATH", help="files or directories to check (default: .); - reads stdin")
    for flag, what in (
        ("--select", "enable only these rules (replaces the config's selection)"),
        ("--extend-select", "enable these rules as well"),
        ("--ignore", "disable these rules"),
    ):
        check.add_argument(
            flag, action="append", metavar="SELECTORS",
            help=f"{what}; comma-separated codes or code prefixes (KL1, KL101), families (optimizer), rule names, or ALL",
        )
    check.add_argument("--output-format", choices=sorted(REPORTERS), default="concise", help="default: concise")
    check.add_argument("--statistics", action="store_true", help="count findings per rule instead of listing them")
    check.add_argument("--fix", action="store_true", help="apply the safe fixes to the files, then report what is left")
    check.add_argument("--unsafe-fixes", action="store_true",
                       help="with --fix or --diff: apply the unsafe fixes too (they change the model or the optimisation)")
    check.add_argument("--diff", action="store_true",
                       help="print the fixes as a unified diff instead of writing them (exit 1 when there is one)")
    check.add_argument("--exit-zero", action="store_true", help="exit 0 even when findings are reported")
    check.add_argument(
        "--fail-on", choices=[s.label for s in sorted(Severity, reverse=True)],
        help="lowest severity that makes the exit code 1 (default: warning, or the config's fail-on)",
    )
    check.add_argument("--config", metavar="PATH", help="use this pyproject.toml or kerlint.toml instead of searching for one")
    check.add_argument("--isolated", action="store_true", help="ignore all configuration files")
    check.add_argument("--stdin-filename", metavar="NAME", help="the name to show (and match per-file-ignores) for -")
    check.add_argument("--extend-exclude", action="append", metavar="GLOBS", help="more comma-separated globs to skip")
    check.add_argument("--no-respect-gitignore", action="store_true", help="check files .gitignore excludes too")
    check.add_argument("--force-exclude", action="store_true", help="apply exclusions to paths named on the command line too")
    check.add_argument("--jobs", "-j", type=_positive_int, metavar="N", help="files checked in parallel (default: the number of CPUs)")
    check.add_argument("--no-cache", action="store_true", help="neither read nor write the cache")
    check.add_argument("--cache-dir", metavar="DIR", help=f"where the cache lives (default: ${ENVIRONMENT_VARIABLE}, "
                       f"else {DIRECTORY_NAME} in the project root)")
    check.add_argument("--probe", action="store_true", help="also build each model in a sandboxed subprocess, inspect it and "
                       "train it briefly to confirm the findings (needs the keras extra); --probe=all trains every model")
    check.add_argument("--probe-all", action="store_true", help=argparse.SUPPRESS)  # what --probe=all becomes
    check.add_argument("--probe-report", metavar="DIR", help="with --probe: write each model's per-step trajectory (JSON, PNG) here")
    check.add_argument("--model", metavar="MODULE:FACTORY", help="with --probe: also probe the compiled model this function returns (or a .keras/.h5 file)")
    check.add_argument("--data", metavar="MODULE:FUNCTION", help="with --model: a function returning (x, y) to train the probe on")
    check.add_argument("--probe-isolation", choices=["auto", "strict"], default="auto",
                       help="strict: refuse to run a script where Landlock or the user/PID namespaces are unavailable")
    check.add_argument("--probe-timeout", type=float, metavar="SECONDS", help="with --probe: time limit per file (no cap)")
    check.add_argument("--probe-memory-mib", type=int, metavar="MIB", help="with --probe: memory limit per file (no cap)")
    check.add_argument("--probe-env", action="append", metavar="NAME", default=[],
                       help="with --probe: let the script see this environment variable (repeatable); others are removed")

    rule = commands.add_parser("rule", help="show a rule's documentation")
    rule.add_argument("rule", metavar="CODE_OR_NAME")

    rules = commands.add_parser("rules", help="list every rule")
    rules.add_argument("--output-format", choices=["text", "json"], default="text")

    commands.add_parser("lsp", help="run the language server on stdin/stdout (needs the lsp extra)")

    clean = commands.add_parser("clean", help="delete the cache of the project in the current directory")
    clean.add_argument("--cache-dir", metavar="DIR", help="the cache to delete (default: as for check)")
    return parser


def _die_with_parent() -> None:
    """Started by the editor's probe-on-save: end when the language server ends, however it ends."""
    parent = os.environ.pop("KERLINT_DIE_WITH_PARENT", None)
    if parent and parent.isdigit():
        from kerlint.probe.confine import die_with_parent

        if not die_with_parent(int(parent)):
            os._exit(USAGE_ERROR)  # the server is already gone


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0] not in SUBCOMMANDS and argv[0] not in TOP_LEVEL_FLAGS):
        argv = ["check", *argv]
    argv = ["--probe-all" if arg == "--probe=all" else arg for arg in argv]
    _die_with_parent()
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exit_:  # argparse: usage errors (2), --help / --version (0)
        return exit_.code if isinstance(exit_.code, int) else USAGE_ERROR
    try:
        if args.command == "rule":
            return show_rule(args.rule)
        if args.command == "rules":
            return list_rules(args.output_format)
        if args.command == "lsp":
            return run_language_server()
        if args.command == "clean":
            return clean_cache(args)
        return check(args)
    except BrokenPipeError:  # `kerlint check | head`: the reader has gone, and so has the rest of the output
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
        return 1
    except KeyboardInterrupt:
        return 130


def run_language_server() -> int:
    try:
        from kerlint.lsp.server import main as serve
    except ImportError as error:
        _error(f"`kerlint lsp` needs the lsp extra ({error}): pip install 'kerlint[lsp]'")
        return USAGE_ERROR
    return serve()


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive whole number, got {text!r}")
    return value


def _cache_directory(args: argparse.Namespace, project_root: Path) -> Path:
    return Path(args.cache_dir) if args.cache_dir else default_directory(project_root)


def clean_cache(args: argparse.Namespace) -> int:
    try:
        root = discover_config(Path.cwd()).root or Path.cwd()
    except ConfigError:
        root = Path.cwd()
    try:
        print(f"kerlint: {clean(_cache_directory(args, root))}", file=sys.stderr)
    except (ValueError, OSError) as error:
        _error(str(error))
        return USAGE_ERROR
    return 0


def show_rule(wanted: str) -> int:
    for rule in all_rules():
        if wanted.upper() == rule.code or wanted.lower() == rule.name:
            sys.stdout.write(rule.docs())
            return 0
    _error(f"unknown rule {wanted!r}; `kerlint rules` lists them")
    return USAGE_ERROR


def list_rules(output_format: str) -> int:
    records = [record(rule) for rule in all_rules()]
    if output_format == "json":
        sys.stdout.write(json.dumps(records, indent=2) + "\n")
        return 0
    widths = [max(len(row[key]) for row in records) for key in ("code", "name")]
    tag_width = max(len(row["tags"][0]) for row in records)
    for row in records:
        sys.stdout.write(
            f"{row['code']:<{widths[0]}}  {row['name']:<{widths[1]}}  {row['tags'][0]:<{tag_width}}  "
            f"{row['severity']:<7}  {row['summary']}\n"
        )
    return 0


def _settings(args: argparse.Namespace) -> ProjectSettings:
    """ConfigError / SelectorError when the configuration or a selector on the command line is bad."""
    if args.config:
        config = load_config(Path(args.config))
    elif args.isolated:
        config = Config(root=Path.cwd())
    else:
        config = discover_config(Path.cwd())
    overrides = Overrides(
        select=_comma_list(args.select) if args.select is not None else None,
        extend_select=_comma_list(args.extend_select),
        ignore=_comma_list(args.ignore),
        extend_exclude=_comma_list(args.extend_exclude),
        respect_gitignore=False if args.no_respect_gitignore else None,
        fail_on=Severity.parse(args.fail_on) if args.fail_on else None,
    )
    return ProjectSettings(config, overrides)  # resolving the selectors raises SelectorError for a bad one


def _comma_list(values: list[str] | None) -> tuple[str, ...]:
    """`--select KL1,optimizer --select KL3` -> ('KL1', 'optimizer', 'KL3')."""
    return tuple(part.strip() for value in values or () for part in value.split(",") if part.strip())


def check(args: argparse.Namespace) -> int:
    try:
        project = _settings(args)
    except (ConfigError, SelectorError) as error:
        _error(str(error))
        return USAGE_ERROR

    paths = args.paths or ([STDIN] if args.stdin_filename else ["."])
    keep_source = args.output_format in SOURCE_FORMATS and not args.statistics
    result = RunResult()
    tasks = []
    if STDIN in paths:
        stdin = _stdin_task(args, project, keep_source)
        if isinstance(stdin, FileResult):
            result.add(stdin)
        elif stdin is not None:
            tasks.append(stdin)
    found = discover([path for path in paths if path != STDIN], project, args.force_exclude)
    for given, why in found.missing:
        _error(f"{given}: {why}")
    for path, why in found.unreadable:
        result.add(unreadable(display_path(path), why))
    fix = ("unsafe" if args.unsafe_fixes else "safe") if args.fix or args.diff else None
    tasks += [
        Task(display_path(path), project.for_file(path), path=path, keep_source=keep_source, fix=fix, write_fixes=not args.diff)
        for path in found.files
    ]
    # --fix / --diff bypass the cache: a hit would skip the fixing, and the findings after a fix belong to
    # bytes other than the ones the entry would be keyed by (the next plain run caches the fixed file).
    cache = None if args.no_cache or fix else Cache(_cache_directory(args, project.root))
    for file_result in lint_files(tasks, args.jobs, cache):
        result.add(file_result)
    if result.files_checked == 0 and not found.missing and args.output_format not in MACHINE_FORMATS:
        print(f"kerlint: warning: no Python files found in {', '.join(paths)}", file=sys.stderr)

    for shown, why in result.fix_errors:
        _error(f"{shown}: {why}")
    if args.diff:
        return _report_diff(result, found.missing)

    diagnostics = result.sorted_diagnostics()
    if args.probe or args.probe_all or args.model:  # TensorFlow only ever loads in the probe's subprocess
        from kerlint.probe.session import run as run_probe

        diagnostics = run_probe(args, project, found.files, display_path, diagnostics)
    report = Report(diagnostics, result.files_checked, result.sources)
    if args.statistics:
        sys.stdout.write(statistics.render(report, args.output_format))
    else:
        sys.stdout.write(REPORTERS[args.output_format](report))
    if fix:
        print(_fix_summary(result, "Applied"), file=sys.stderr if args.output_format in MACHINE_FORMATS else sys.stdout)
    sys.stdout.flush()

    if found.missing or getattr(args, "probe_refused", False):
        return USAGE_ERROR
    failing = any(diagnostic.severity >= project.fail_on for diagnostic in report.diagnostics)
    return 1 if (failing or result.fix_errors) and not args.exit_zero else 0


def _report_diff(result: RunResult, missing: list) -> int:
    """--diff: the diffs on stdout, what they amount to on stderr; 1 when something would change."""
    sys.stdout.write("".join(result.diffs))
    sys.stdout.flush()
    print(_fix_summary(result, "Would apply"), file=sys.stderr)
    if missing:
        return USAGE_ERROR
    return 1 if result.diffs or result.fix_errors else 0


def _fix_summary(result: RunResult, verb: str) -> str:
    """`Applied 3 fixes (2 more with --unsafe-fixes).`"""
    hidden = f" ({result.hidden_fixes} more with --unsafe-fixes)" if result.hidden_fixes else ""
    return f"{verb} {result.fixed} fix{'es' if result.fixed != 1 else ''}{hidden}."


def _stdin_task(args: argparse.Namespace, project: ProjectSettings, keep_source: bool) -> Task | FileResult | None:
    """What to do with `-`: a task, a finding when stdin can't be read, None when it is excluded."""
    name = Path(args.stdin_filename) if args.stdin_filename else None
    if name is not None and args.force_exclude and project.is_excluded(name):
        return None
    settings = project.for_file(name)
    shown = display_path(name) if name is not None else STDIN
    try:
        data = sys.stdin.buffer.read(settings.max_file_bytes + 1)
    except (AttributeError, OSError, ValueError):  # no stdin at all, or a closed one
        return unreadable(shown, "standard input could not be read: not checked")
    return Task(shown, settings, data=data, keep_source=keep_source)
