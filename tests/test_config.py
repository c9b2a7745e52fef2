"""`[tool.kerlint]`: discovery, every key, and clear errors (exit 2) for bad ones."""

from __future__ import annotations

from pathlib import Path

import pytest
from clirun import CLEAN, SYNTAX_ERROR, UNUSED_LINE, UNUSED_NOQA, kerlint, write

from kerlint.config import Config, ConfigError, discover_config, find_config_file, load_config
from kerlint.diagnostic import Severity
from kerlint.registry import all_rules
from kerlint.settings import ProjectSettings


def _config_error(tmp_path: Path, table: str) -> str:
    write(tmp_path, {"pyproject.toml": table, "a.py": CLEAN})
    result = kerlint("check", "a.py", cwd=tmp_path)
    assert result.code == 2, result
    assert result.out == ""
    return result.err


def test_unknown_key_names_the_file_and_the_key(tmp_path):
    err = _config_error(tmp_path, '[tool.kerlint]\nselet = ["KL1"]\n')
    assert f"kerlint: error: {tmp_path / 'pyproject.toml'}: [tool.kerlint] selet: unknown key" in err


def test_unknown_selector_in_config(tmp_path):
    err = _config_error(tmp_path, '[tool.kerlint]\nignore = ["KL9999"]\n')
    assert "[tool.kerlint] ignore: unknown rule selector 'KL9999'" in err


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('select = "KL1"', "select: expected a list of strings, got 'KL1'"),
        ("respect-gitignore = 1", "respect-gitignore: expected true or false, got 1"),
        ("max-file-size = -5", "max-file-size: expected a positive whole number of bytes, got -5"),
        ('fail-on = "fatal"', "fail-on: unknown severity 'fatal'"),
        ('per-file-ignores = ["x"]', "per-file-ignores: expected a table"),
        ('[tool.kerlint.rules.KL9999]\nx = 1', "rules.KL9999: no such rule"),
        ('[tool.kerlint.rules.KL001]\nthreshold = 1', "rules.KL001.threshold: KL001 has no option 'threshold'"),
    ],
)
def test_bad_values(tmp_path, table, message):
    err = _config_error(tmp_path, f"[tool.kerlint]\n{table}\n")
    assert message in err


def _first_rule_option():
    """(rule, option name, Option) of the first rule with options, through the registry."""
    with_options = [rule for rule in all_rules() if rule.options]
    if not with_options:
        pytest.skip("no rule has options yet")
    rule = with_options[0]
    return (rule, *next(iter(rule.options.items())))


def test_bad_rule_option_type(tmp_path):
    """Through the registry: any rule with an option gets a value of the wrong type."""
    rule, name, option = _first_rule_option()
    wrong = '"not a number"' if not isinstance(option.default, str) else "[1, 2]"
    err = _config_error(tmp_path, f"[tool.kerlint.rules.{rule.code}]\n{name} = {wrong}\n")
    assert f"rules.{rule.code}.{name}: expected {type(option.default).__name__}" in err


def test_rule_options_are_coerced_and_reach_the_settings(tmp_path):
    rule, name, option = _first_rule_option()
    write(tmp_path, {"pyproject.toml": f"[tool.kerlint.rules.{rule.name}]\n{name.replace('_', '-')} = {_toml(option.default)}\n"})
    settings = ProjectSettings(load_config(tmp_path / "pyproject.toml")).for_file(tmp_path / "a.py")
    assert settings.options_for(rule)[name] == option.default


def _toml(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml(item) for item in value) + "]"
    return repr(value)


def test_invalid_toml(tmp_path):
    err = _config_error(tmp_path, "[tool.kerlint]\nselect = [\n")
    assert "pyproject.toml: not valid TOML" in err


def test_config_is_found_in_a_parent_directory(tmp_path):
    write(tmp_path, {"pyproject.toml": '[tool.kerlint]\nignore = ["KL003"]\n', "src/a.py": UNUSED_NOQA})
    assert kerlint("check", "a.py", cwd=tmp_path / "src").code == 0


def test_a_pyproject_without_the_table_is_passed_over(tmp_path):
    write(
        tmp_path,
        {
            "pyproject.toml": '[tool.kerlint]\nignore = ["KL003"]\n',
            "app/pyproject.toml": '[project]\nname = "app"\n',
            "app/a.py": UNUSED_NOQA,
        },
    )
    assert find_config_file(tmp_path / "app" / "a.py") == tmp_path / "pyproject.toml"
    assert kerlint("check", "a.py", cwd=tmp_path / "app").code == 0


def test_kerlint_toml_has_keys_at_the_top_level_and_wins(tmp_path):
    write(
        tmp_path,
        {
            "pyproject.toml": '[tool.kerlint]\nselect = ["KL003"]\n',
            "kerlint.toml": 'ignore = ["KL003"]\n',
            "a.py": UNUSED_NOQA,
        },
    )
    assert find_config_file(tmp_path) == tmp_path / "kerlint.toml"
    assert kerlint("check", "a.py", cwd=tmp_path).code == 0
    write(tmp_path, {"kerlint.toml": "[tool.kerlint]\n"})
    assert "kerlint.toml: tool: unknown key" in kerlint("check", "a.py", cwd=tmp_path).err


def test_explicit_config_and_isolated(tmp_path):
    write(
        tmp_path,
        {"pyproject.toml": '[tool.kerlint]\nignore = ["KL003"]\n', "ci/strict.toml": "", "a.py": UNUSED_NOQA},
    )
    assert kerlint("check", "a.py", cwd=tmp_path).code == 0
    assert kerlint("check", "a.py", "--config", "ci/strict.toml", cwd=tmp_path).code == 1
    assert kerlint("check", "a.py", "--isolated", cwd=tmp_path).code == 1
    missing = kerlint("check", "a.py", "--config", "nope.toml", cwd=tmp_path)
    assert missing.code == 2 and "nope.toml: no such config file" in missing.err


def test_per_file_ignores(tmp_path):
    write(
        tmp_path,
        {
            "pyproject.toml": (
                "[tool.kerlint.per-file-ignores]\n"
                '"legacy/*.py" = ["KL003"]\n'
                '"scratch_*.py" = ["unused-noqa"]\n'
                '"!keep/**" = ["kerlint"]\n'
            ),
            "legacy/old.py": UNUSED_NOQA,
            "legacy/deeper/old.py": UNUSED_NOQA,  # `legacy/*.py` is anchored and doesn't span directories
            "deep/scratch_1.py": UNUSED_NOQA,
            "keep/a.py": UNUSED_NOQA,
            "keep/b.py": SYNTAX_ERROR,
        },
    )
    result = kerlint("check", "legacy", "deep", "keep", cwd=tmp_path)
    # `!keep/**` switches the engine family off everywhere but keep/: so only keep/ reports
    assert result.lines[:2] == ["keep/a.py:" + UNUSED_LINE, "keep/b.py:1:5: KL001 syntax error: '(' was never closed; nothing else in this file was checked"]
    assert len(result.lines) == 3
    write(tmp_path, {"pyproject.toml": '[tool.kerlint.per-file-ignores]\n"legacy/*.py" = ["KL003"]\n'})
    result = kerlint("check", "legacy", cwd=tmp_path)
    assert result.lines[0] == "legacy/deeper/old.py:" + UNUSED_LINE and len(result.lines) == 2


def test_fail_on_from_config_and_overridden_on_the_command_line(tmp_path):
    write(tmp_path, {"pyproject.toml": '[tool.kerlint]\nfail-on = "error"\n', "a.py": UNUSED_NOQA})
    assert kerlint("check", "a.py", cwd=tmp_path).code == 0
    assert kerlint("check", "a.py", "--fail-on", "warning", cwd=tmp_path).code == 1


def test_discover_config_api_for_editors(tmp_path):
    write(tmp_path, {"pyproject.toml": '[tool.kerlint]\nmax-file-size = 1000\nfail-on = "info"\n', "pkg/m.py": CLEAN})
    config = discover_config(tmp_path / "pkg" / "m.py")
    assert (config.path, config.root) == (tmp_path / "pyproject.toml", tmp_path)
    assert (config.max_file_size, config.fail_on) == (1000, Severity.INFO)
    elsewhere = tmp_path.parent / f"{tmp_path.name}-none"
    elsewhere.mkdir()
    if find_config_file(elsewhere) is None:  # no config anywhere above: defaults, rooted there
        assert discover_config(elsewhere) == Config(root=elsewhere)
    with pytest.raises(ConfigError):
        load_config(tmp_path / "missing.toml")
