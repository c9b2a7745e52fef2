"""Which rules apply to an open document: the nearest `[tool.kerlint]` of its project, cached by mtime."""

from __future__ import annotations

import os
from pathlib import Path

from kerlint.config import Config, ConfigError, find_config_file, load_config
from kerlint.settings import LintSettings
from kerlint.settings import ProjectSettings


class ProjectConfigs:
    def __init__(self) -> None:
        self._loaded: dict[Path, tuple[int, ProjectSettings]] = {}
        self.errors: dict[Path, str] = {}  # config file -> its problem (the server logs each one once)

    def settings_for(self, path: Path | None) -> LintSettings:
        """The LintSettings for a document at `path` (None: an unsaved document: every default rule)."""
        if path is None:
            return ProjectSettings(Config(root=Path.cwd())).for_file(None)
        try:
            found = find_config_file(path)
        except ConfigError as error:
            self.errors[path.parent] = f"{error}; using the default rules"
            found = None
        if found is None:
            return ProjectSettings(Config(root=path.parent)).for_file(path)
        try:
            stamp = os.stat(found).st_mtime_ns
        except OSError:
            stamp = -1
        cached = self._loaded.get(found)
        if cached is None or cached[0] != stamp:
            try:
                project = ProjectSettings(load_config(found))
                self.errors.pop(found, None)
            except (ConfigError, ValueError) as error:
                self.errors[found] = f"{error}; using the default rules"
                project = ProjectSettings(Config(root=found.parent))
            cached = (stamp, project)
            self._loaded[found] = cached
        return cached[1].for_file(path)

