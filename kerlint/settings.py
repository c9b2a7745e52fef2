"""Resolved settings: a Config plus the command line's overrides, answering per file which rules run
(ProjectSettings), and what the engine needs for one file (LintSettings)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from kerlint.config import DEFAULT_MAX_FILE_BYTES, Config
from kerlint.diagnostic import Severity
from kerlint.paths import glob_spec, project_relative
from kerlint.registry import all_rules
from kerlint.rule import Rule
from kerlint.selection import SelectionLayer, codes_for_all, enabled_codes
from kerlint.target import infer_target_keras

# Directories and files never worth linting, as in Ruff. `exclude` replaces this list, `extend-exclude` adds.
DEFAULT_EXCLUDES = (
    ".bzr", ".direnv", ".eggs", ".git", ".git-rewrite", ".hg", ".ipynb_checkpoints", ".kerlint_cache",
    ".mypy_cache", ".nox", ".pants.d", ".pyenv", ".pytest_cache", ".pytype", ".ruff_cache", ".svn",
    ".tox", ".venv", ".vscode", "__pycache__", "__pypackages__", "_build", "buck-out", "build", "dist", "node_modules",
    "site-packages", "venv",
)

# The file name endings a directory walk picks up; `extend-include` adds globs (Python files only: each is linted as
# Python source unless its name ends in .ipynb).
DEFAULT_INCLUDES = (".py", ".ipynb")


@dataclass(frozen=True)
class LintSettings:
    enabled: frozenset[str]
    rule_options: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    target_keras: str | None = None  # "2" / "3" from the configuration or the project's dependencies
    target_keras_configured: bool = False  # set explicitly in [tool.kerlint]: wins over a file's own imports
    # Compute the findings' machine-applicable fixes (the editor's quick fixes). Off for a plain check,
    # whose output never shows them: a fix may re-read the source, and only who applies it should pay.
    fixes: bool = False

    @classmethod
    def all_rules(cls) -> "LintSettings":
        return cls(enabled=frozenset(rule.code for rule in all_rules()))

    def options_for(self, rule: type[Rule]) -> dict[str, Any]:
        return {**rule.default_options(), **self.rule_options.get(rule.code, {})}


@dataclass(frozen=True)
class Overrides:
    """What the command line says; None / empty means "as the config says"."""

    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    extend_exclude: tuple[str, ...] = ()
    respect_gitignore: bool | None = None
    fail_on: Severity | None = None


class ProjectSettings:
    def __init__(self, config: Config, overrides: Overrides = Overrides()) -> None:
        self.config = config
        self.root = (config.root or Path.cwd()).absolute()  # where exclude/per-file-ignores globs start
        self.enabled = enabled_codes(
            [
                SelectionLayer(config.select, config.extend_select, config.ignore),
                SelectionLayer(overrides.select, overrides.extend_select, overrides.ignore),
            ]
        )
        self.fail_on = overrides.fail_on or config.fail_on
        self.respect_gitignore = (
            config.respect_gitignore if overrides.respect_gitignore is None else overrides.respect_gitignore
        )
        excludes = DEFAULT_EXCLUDES if config.exclude is None else config.exclude
        self.exclude_spec = glob_spec([*excludes, *config.extend_exclude, *overrides.extend_exclude])
        self.include_spec = glob_spec(config.extend_include) if config.extend_include else None
        self._per_file_ignores = [
            (glob.startswith("!"), glob_spec([glob.removeprefix("!")]), codes_for_all(selectors))
            for glob, selectors in config.per_file_ignores
        ]
        # The Keras the project targets: [tool.kerlint] target-keras, else the declared dependencies.
        self.target_keras = config.target_keras or infer_target_keras(self.root)
        self._by_ignored: dict[frozenset[str], LintSettings] = {}

    def is_excluded(self, path: Path, is_dir: bool = False, base: Path | None = None) -> bool:
        """Whether `exclude`/`extend-exclude` (globs relative to `base`, the project root by default) match."""
        relative = project_relative(path, base or self.root)
        return self.exclude_spec.match_file(relative + "/" if is_dir else relative)

    def is_included(self, path: Path) -> bool:
        """Whether a directory walk checks this file (`*.py`, `*.ipynb` and `extend-include`)."""
        if path.name.endswith(DEFAULT_INCLUDES):  # the common case, without a glob match per file
            return True
        return self.include_spec is not None and self.include_spec.match_file(project_relative(path, self.root))

    def for_file(self, path: Path | None) -> LintSettings:
        """The LintSettings for one file (per-file-ignores applied); None for stdin without a name."""
        ignored: set[str] = set()
        if path is not None:
            relative = project_relative(path, self.root)
            for negated, spec, codes in self._per_file_ignores:
                if spec.match_file(relative) != negated:
                    ignored |= codes
        key = frozenset(ignored)
        if key not in self._by_ignored:
            self._by_ignored[key] = LintSettings(
                enabled=self.enabled - key,
                rule_options=self.config.rule_options,
                max_file_bytes=self.config.max_file_size,
                target_keras=self.target_keras,
                target_keras_configured=self.config.target_keras is not None,
            )
        return self._by_ignored[key]
