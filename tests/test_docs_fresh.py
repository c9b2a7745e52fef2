"""Generated docs (docs/rules.md, the README's rule table) match the rules; README and CI agree."""

from __future__ import annotations

from clirun import REPO

from kerlint import docs
from kerlint.registry import all_rules

TEST_COMMAND = "python3 -m venv .venv && .venv/bin/pip install -e '.[dev]' && .venv/bin/python -m pytest"
INSTALL_COMMAND = "python3 -m venv .venv && .venv/bin/pip install . && .venv/bin/kerlint check fixtures/"


def test_rules_md_is_fresh():
    current = docs.RULES_MD.read_text(encoding="utf-8") if docs.RULES_MD.is_file() else ""
    assert current == docs.render_rules_md(), f"docs/rules.md is stale: run `{docs.REGENERATE}`"


def test_readme_rule_table_is_fresh():
    readme = docs.README.read_text(encoding="utf-8")
    assert docs.render_readme(readme) == readme, f"README.md's rule table is stale: run `{docs.REGENERATE}`"


def test_every_rule_has_an_anchor_its_url_points_at():
    text = docs.render_rules_md()
    for rule in all_rules():
        assert f'<a id="{rule.anchor()}"></a>' in text
        assert rule.url().endswith(f"#{rule.anchor()}")


def test_readme_quick_start_is_what_ci_runs():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    for command in (TEST_COMMAND, INSTALL_COMMAND):
        assert f"\n{command}\n" in readme, command
        assert command in ci, command


def test_readme_leaves_room_for_later_sections():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for heading in ("## Quick start", "## Configuration", "## Exit codes", "## Rules"):
        assert f"\n{heading}\n" in readme


def test_readme_configuration_example_is_valid(tmp_path):
    from kerlint.config import load_config

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    start = readme.index("```toml\n[tool.kerlint]\n") + len("```toml\n")
    example = readme[start : readme.index("```", start)]
    (tmp_path / "pyproject.toml").write_text(example, encoding="utf-8")
    config = load_config(tmp_path / "pyproject.toml")
    assert config.per_file_ignores and config.rule_options and config.extend_exclude
