"""The `kerlint` command as a process: exit codes and exact output."""

from __future__ import annotations

import json

import pytest
from clirun import CLEAN, REPO as REPO_ROOT, SYNTAX_ERROR, SYNTAX_LINE, UNUSED_LINE, UNUSED_NOQA, kerlint, write

from kerlint.registry import all_rules


@pytest.fixture
def project(tmp_path):
    write(tmp_path, {"bad.py": SYNTAX_ERROR, "noqa.py": UNUSED_NOQA, "clean.py": CLEAN})
    return tmp_path


def test_clean_file_passes(project):
    result = kerlint("check", "clean.py", cwd=project)
    assert (result.code, result.lines) == (0, ["All checks passed! (1 file)"])


def test_findings_are_listed_sorted_with_a_summary(project):
    result = kerlint("check", ".", cwd=project)
    assert result.code == 1
    assert result.lines == [
        f"bad.py:{SYNTAX_LINE}",
        f"noqa.py:{UNUSED_LINE}",
        "Found 2 findings (1 error, 1 warning) in 2 of 3 files.",
    ]


def test_check_is_the_default_command_and_dot_the_default_path(project):
    explicit = kerlint("check", ".", cwd=project)
    assert kerlint(cwd=project).lines == explicit.lines
    assert kerlint("bad.py", "noqa.py", "clean.py", cwd=project).lines == explicit.lines


def test_paths_are_shown_relative_to_the_current_directory(project):
    result = kerlint("check", str(project / "bad.py"), cwd=project)
    assert result.lines[0] == f"bad.py:{SYNTAX_LINE}"
    nested = project / "sub"
    nested.mkdir()
    result = kerlint("check", "../bad.py", cwd=nested)
    assert result.lines[0] == f"../bad.py:{SYNTAX_LINE}"


def test_missing_path_is_an_error_but_the_other_paths_are_checked(project):
    result = kerlint("check", "nope.py", "bad.py", cwd=project)
    assert result.code == 2
    assert "kerlint: error: nope.py: no such file or directory" in result.err.splitlines()
    assert result.lines == [f"bad.py:{SYNTAX_LINE}", "Found 1 finding (1 error) in 1 file."]


def test_exit_zero_and_fail_on(project):
    assert kerlint("check", "bad.py", "--exit-zero", cwd=project).code == 0
    # KL003 is a warning: it fails by default, not with --fail-on error, but is still shown
    assert kerlint("check", "noqa.py", cwd=project).code == 1
    relaxed = kerlint("check", "noqa.py", "--fail-on", "error", cwd=project)
    assert (relaxed.code, relaxed.lines[0]) == (0, f"noqa.py:{UNUSED_LINE}")
    assert kerlint("check", "bad.py", "--fail-on", "info", cwd=project).code == 1
    assert kerlint("check", "nope.py", "--exit-zero", cwd=project).code == 2


def test_info_findings_do_not_fail_unless_asked(tmp_path):
    """Through the registry: any info-severity rule (the api-compat family) with an invalid example."""
    candidates = [rule for rule in all_rules() if rule.severity.label == "info" and rule.invalid]
    if not candidates:
        pytest.skip("no info-severity rule with examples yet")
    rule = candidates[0]
    write(tmp_path, {"old.py": rule.invalid[0]})
    result = kerlint("check", "old.py", "--select", rule.code, cwd=tmp_path)
    assert result.code == 0 and f" {rule.code} " in result.out
    assert kerlint("check", "old.py", "--select", rule.code, "--fail-on", "info", cwd=tmp_path).code == 1


def test_json_output(project):
    result = kerlint("check", "--output-format", "json", "bad.py", "noqa.py", cwd=project)
    assert result.code == 1
    findings = json.loads(result.out)  # pure JSON: no summary line on stdout
    assert [f["code"] for f in findings] == ["KL001", "KL003"]
    assert findings[1] == {
        "code": "KL003",
        "name": "unused-noqa",
        "tags": ["kerlint"],
        "severity": "warning",
        "message": "unknown rule code KL0999 in `noqa`",
        "filename": "noqa.py",
        "location": {"row": 1, "column": 8},
        "end_location": {"row": 1, "column": 22},
        "url": "https://github.com/kerlint/kerlint/blob/main/docs/rules.md#kl003-unused-noqa",
        "fix": "Remove the unused codes from the directive.",
        "related": [],
    }


def test_json_output_when_clean_is_an_empty_list(project):
    result = kerlint("check", "--output-format", "json", "clean.py", cwd=project)
    assert (result.code, json.loads(result.out)) == (0, [])


def test_full_output_quotes_the_source_and_the_fix(tmp_path):
    write(tmp_path, {"train.py": "import keras\nx = 1  # noqa: KL001\ny = 2\n"})
    result = kerlint("check", "--output-format", "full", "train.py", cwd=tmp_path)
    assert result.code == 1
    assert result.lines == [
        "train.py:2:8: KL003 [warning] unused `noqa` directive: no KL001 finding on this line",
        "  |",
        "1 | import keras",
        "2 | x = 1  # noqa: KL001",
        "  |        ^^^^^^^^^^^^^ KL003",
        "3 | y = 2",
        "  |",
        "help: Remove the unused codes from the directive.",
        "docs: unused-noqa (KL003) https://github.com/kerlint/kerlint/blob/main/docs/rules.md#kl003-unused-noqa",
        "",
        "Found 1 finding (1 warning) in 1 file.",
    ]


def test_statistics(tmp_path):
    write(tmp_path, {"a.py": SYNTAX_ERROR, "b.py": UNUSED_NOQA, "c.py": UNUSED_NOQA})
    result = kerlint("check", "--statistics", ".", cwd=tmp_path)
    assert result.code == 1
    assert result.lines == [
        "2  KL003  unused-noqa   warning",
        "1  KL001  syntax-error  error",
        "Found 3 findings (1 error, 2 warnings) in 3 files.",
    ]
    as_json = kerlint("check", "--statistics", "--output-format", "json", ".", cwd=tmp_path)
    assert json.loads(as_json.out) == [
        {"code": "KL003", "name": "unused-noqa", "severity": "warning", "count": 2},
        {"code": "KL001", "name": "syntax-error", "severity": "error", "count": 1},
    ]


@pytest.mark.parametrize("selector", ["KL003", "KL00", "unused-noqa", "kerlint", "ALL", "KL003,KL001"])
def test_ignore_by_code_prefix_name_tag_or_all(project, selector):
    assert kerlint("check", "noqa.py", "--ignore", selector, cwd=project).lines == ["All checks passed! (1 file)"]


def test_syntax_errors_are_reported_even_when_not_selected(project):
    result = kerlint("check", "bad.py", "--ignore", "ALL", cwd=project)
    assert (result.code, result.lines[0]) == (1, f"bad.py:{SYNTAX_LINE}")


@pytest.mark.parametrize("selector", ["KL003", "KL0", "unused-noqa", "kerlint", "ALL"])
def test_select_by_code_prefix_name_tag_or_all(project, selector):
    result = kerlint("check", "noqa.py", "--select", selector, cwd=project)
    assert result.lines[0] == f"noqa.py:{UNUSED_LINE}"


def test_select_excludes_everything_else(project):
    # a code prefix that names other rules only: KL003 is not selected
    others = [rule.code for rule in all_rules() if rule.code != "KL003"]
    result = kerlint("check", "noqa.py", "--select", others[0], cwd=project)
    assert result.lines == ["All checks passed! (1 file)"]


def test_extend_select_adds_back_what_the_config_ignores(project):
    write(project, {"pyproject.toml": '[tool.kerlint]\nignore = ["KL003"]\n'})
    assert kerlint("check", "noqa.py", cwd=project).code == 0
    assert kerlint("check", "noqa.py", "--extend-select", "KL003", cwd=project).code == 1
    # --select replaces the config's selection, ignores included
    assert kerlint("check", "noqa.py", "--select", "KL003", cwd=project).code == 1


@pytest.mark.parametrize("flag", ["--select", "--ignore", "--extend-select"])
def test_unknown_selector_is_a_usage_error(project, flag):
    result = kerlint("check", "noqa.py", flag, "KL9999", cwd=project)
    assert result.code == 2
    assert result.out == ""
    assert "kerlint: error: unknown rule selector 'KL9999'" in result.err


def test_bad_option_value_is_a_usage_error(project):
    result = kerlint("check", "--output-format", "xml", cwd=project)
    assert result.code == 2 and "invalid choice: 'xml'" in result.err


def test_stdin(project):
    result = kerlint("check", "-", cwd=project, stdin=SYNTAX_ERROR.encode())
    assert (result.code, result.lines) == (1, [f"-:{SYNTAX_LINE}", "Found 1 finding (1 error) in 1 file."])
    named = kerlint("check", "-", "--stdin-filename", "src/train.py", cwd=project, stdin=SYNTAX_ERROR.encode())
    assert named.lines[0] == f"src/train.py:{SYNTAX_LINE}"
    implied = kerlint("check", "--stdin-filename", "src/train.py", cwd=project, stdin=CLEAN.encode())
    assert implied.lines == ["All checks passed! (1 file)"]


def test_stdin_filename_matches_per_file_ignores(project):
    write(project, {"pyproject.toml": '[tool.kerlint.per-file-ignores]\n"legacy/*.py" = ["KL003"]\n'})
    stdin = UNUSED_NOQA.encode()
    assert kerlint("check", "-", "--stdin-filename", "legacy/old.py", cwd=project, stdin=stdin).code == 0
    assert kerlint("check", "-", "--stdin-filename", "new.py", cwd=project, stdin=stdin).code == 1


def test_rule_docs():
    result = kerlint("rule", "KL001", cwd=REPO_ROOT)
    assert result.code == 0
    assert result.lines[0] == "# syntax-error (KL001)"
    assert "## What it does" in result.out and "## Why is this bad?" in result.out
    assert kerlint("rule", "syntax-error", cwd=REPO_ROOT).out == result.out
    assert kerlint("rule", "kl001", cwd=REPO_ROOT).out == result.out


def test_unknown_rule_is_a_usage_error():
    result = kerlint("rule", "KL9999", cwd=REPO_ROOT)
    assert result.code == 2 and "unknown rule 'KL9999'" in result.err


def test_rules_json_lists_every_rule():
    result = kerlint("rules", "--output-format", "json", cwd=REPO_ROOT)
    assert result.code == 0
    listed = json.loads(result.out)
    assert [entry["code"] for entry in listed] == [rule.code for rule in all_rules()]
    for entry, rule in zip(listed, all_rules()):
        assert entry == {
            "code": rule.code,
            "name": rule.name,
            "tags": [rule.tag],
            "severity": rule.severity.label,
            "fix": rule.fixable,
            "summary": rule.summary,
            "url": rule.url(),
        }


def test_rules_table_has_every_rule():
    result = kerlint("rules", cwd=REPO_ROOT)
    assert result.code == 0
    assert [line.split()[:2] for line in result.lines] == [[rule.code, rule.name] for rule in all_rules()]


def test_version():
    from kerlint import __version__

    result = kerlint("--version", cwd=REPO_ROOT)
    assert (result.code, result.out.strip()) == (0, f"kerlint {__version__}")


def test_no_python_files_is_a_warning_not_an_error(tmp_path):
    result = kerlint("check", ".", cwd=tmp_path)
    assert (result.code, result.lines) == (0, ["All checks passed! (0 files)"])
    assert "no Python files found" in result.err

