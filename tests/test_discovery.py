"""Which files `kerlint check DIR` looks at: default excludes, config excludes, .gitignore, symlinks."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest
from clirun import SYNTAX_ERROR, SYNTAX_LINE, kerlint, write


def _reported(result) -> list[str]:
    """The files with findings, from concise output."""
    return sorted({line.split(":")[0] for line in result.lines[:-1]})


def _git_init(path) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    subprocess.run(["git", "init", "-q", str(path)], check=True)


def test_default_excludes(tmp_path):
    write(
        tmp_path,
        {
            "train.py": SYNTAX_ERROR,
            ".venv/lib/site.py": SYNTAX_ERROR,
            "venv/x.py": SYNTAX_ERROR,
            "build/lib/x.py": SYNTAX_ERROR,
            "pkg/__pycache__/x.py": SYNTAX_ERROR,
            "node_modules/x.py": SYNTAX_ERROR,
            "pkg/model.py": SYNTAX_ERROR,
            "notes.txt": SYNTAX_ERROR,
        },
    )
    result = kerlint("check", ".", cwd=tmp_path)
    assert _reported(result) == ["pkg/model.py", "train.py"]
    assert result.lines[-1] == "Found 2 findings (2 errors) in 2 files."


def test_files_named_explicitly_are_always_checked(tmp_path):
    write(tmp_path, {"build/gen.py": SYNTAX_ERROR, "notes.txt": SYNTAX_ERROR})
    assert _reported(kerlint("check", "build/gen.py", "notes.txt", cwd=tmp_path)) == ["build/gen.py", "notes.txt"]
    # so is an excluded directory named explicitly
    assert _reported(kerlint("check", "build", cwd=tmp_path)) == ["build/gen.py"]
    forced = kerlint("check", "build/gen.py", "--force-exclude", cwd=tmp_path)
    assert (forced.code, forced.lines) == (0, ["All checks passed! (0 files)"])


def test_exclude_and_extend_exclude_from_config(tmp_path):
    write(
        tmp_path,
        {
            "pyproject.toml": '[tool.kerlint]\nextend-exclude = ["legacy/", "gen_*.py", "src/skip/*.py"]\n',
            "legacy/a.py": SYNTAX_ERROR,
            "src/gen_model.py": SYNTAX_ERROR,
            "src/skip/a.py": SYNTAX_ERROR,
            "other/skip/a.py": SYNTAX_ERROR,
            "src/model.py": SYNTAX_ERROR,
            ".venv/a.py": SYNTAX_ERROR,
        },
    )
    assert _reported(kerlint("check", cwd=tmp_path)) == ["other/skip/a.py", "src/model.py"]
    # relative to the config's directory even when run from below it
    assert _reported(kerlint("check", ".", cwd=tmp_path / "src")) == ["model.py"]
    # `exclude` replaces the defaults
    write(tmp_path, {"pyproject.toml": '[tool.kerlint]\nexclude = ["legacy"]\n'})
    assert ".venv/a.py" in _reported(kerlint("check", cwd=tmp_path))
    cli = kerlint("check", "--extend-exclude", "src,other", cwd=tmp_path)
    assert _reported(cli) == [".venv/a.py"]


def test_gitignore_is_honoured(tmp_path):
    _git_init(tmp_path)
    write(
        tmp_path,
        {
            ".gitignore": "generated/\n*_tmp.py\nsub/ignored_by_root.py\n",
            "generated/a.py": SYNTAX_ERROR,
            "model_tmp.py": SYNTAX_ERROR,
            "model.py": SYNTAX_ERROR,
            "sub/.gitignore": "local.py\n!keep_tmp.py\n",
            "sub/local.py": SYNTAX_ERROR,
            "sub/keep_tmp.py": SYNTAX_ERROR,
            "sub/ignored_by_root.py": SYNTAX_ERROR,
            "sub/deeper/local.py": SYNTAX_ERROR,
            "sub/deeper/ok.py": SYNTAX_ERROR,
            "other/local.py": SYNTAX_ERROR,
        },
    )
    expected = ["model.py", "other/local.py", "sub/deeper/ok.py", "sub/keep_tmp.py"]
    assert _reported(kerlint("check", ".", cwd=tmp_path)) == expected
    # .gitignore files between the repository root and the checked directory apply too
    assert _reported(kerlint("check", "sub", cwd=tmp_path)) == ["sub/deeper/ok.py", "sub/keep_tmp.py"]
    assert _reported(kerlint("check", ".", cwd=tmp_path / "sub")) == ["deeper/ok.py", "keep_tmp.py"]
    # off by flag or config
    everything = kerlint("check", ".", "--no-respect-gitignore", cwd=tmp_path)
    assert len(_reported(everything)) == 9
    write(tmp_path, {"pyproject.toml": "[tool.kerlint]\nrespect-gitignore = false\n"})
    assert len(_reported(kerlint("check", cwd=tmp_path))) == 9


def test_gitignore_outside_a_repository_applies_below_the_checked_directory(tmp_path):
    write(tmp_path, {"proj/.gitignore": "out/\n", "proj/out/a.py": SYNTAX_ERROR, "proj/a.py": SYNTAX_ERROR})
    assert _reported(kerlint("check", "proj", cwd=tmp_path)) == ["proj/a.py"]


def test_a_file_is_checked_once(tmp_path):
    write(tmp_path, {"a.py": SYNTAX_ERROR})
    result = kerlint("check", "a.py", ".", "./a.py", cwd=tmp_path)
    assert result.lines == [f"a.py:{SYNTAX_LINE}", "Found 1 finding (1 error) in 1 file."]


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks here")
def test_symlinks(tmp_path):
    write(tmp_path, {"real/a.py": SYNTAX_ERROR})
    os.symlink(tmp_path / "real", tmp_path / "linked_dir")  # not followed: no duplicates, no loops
    os.symlink(tmp_path / "real" / "a.py", tmp_path / "real" / "link.py")
    os.symlink(tmp_path / "missing.py", tmp_path / "real" / "dangling.py")
    os.symlink(tmp_path, tmp_path / "real" / "loop")
    result = kerlint("check", ".", cwd=tmp_path)
    assert result.lines == [
        f"real/a.py:{SYNTAX_LINE}",
        "real/dangling.py:1:1: KL002 broken symbolic link (its target does not exist): not checked",
        "Found 2 findings (2 errors) in 2 files.",
    ]
    explicit = kerlint("check", "real/dangling.py", "real/a.py", cwd=tmp_path)
    assert explicit.code == 2
    assert "kerlint: error: real/dangling.py: broken symbolic link (its target does not exist)" in explicit.err
    assert explicit.lines[0] == f"real/a.py:{SYNTAX_LINE}"


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs a non-root POSIX user")
def test_unreadable_directory_and_file(tmp_path):
    write(tmp_path, {"locked/a.py": SYNTAX_ERROR, "secret.py": SYNTAX_ERROR, "ok.py": SYNTAX_ERROR})
    (tmp_path / "locked").chmod(0)
    (tmp_path / "secret.py").chmod(0)
    try:
        result = kerlint("check", ".", cwd=tmp_path)
    finally:
        (tmp_path / "locked").chmod(0o755)
        (tmp_path / "secret.py").chmod(0o644)
    assert result.lines[:3] == [
        "locked:1:1: KL002 directory could not be read (permission denied): not checked",
        f"ok.py:{SYNTAX_LINE}",
        "secret.py:1:1: KL002 could not be read (permission denied): not checked",
    ]


def test_a_directory_that_cannot_be_listed_is_reported_and_the_rest_checked(tmp_path, monkeypatch, capsys):
    """In-process, so it also works as root (who can list any directory)."""
    import kerlint.discovery
    from kerlint.cli import main

    write(tmp_path, {"locked/a.py": SYNTAX_ERROR, "ok.py": SYNTAX_ERROR})
    real_scandir = os.scandir

    def scandir(path):
        if os.path.basename(os.fspath(path)) == "locked":
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(kerlint.discovery.os, "scandir", scandir)
    monkeypatch.chdir(tmp_path)
    assert main(["check", "."]) == 1
    assert capsys.readouterr().out.splitlines() == [
        "locked:1:1: KL002 directory could not be read (permission denied): not checked",
        f"ok.py:{SYNTAX_LINE}",
        "Found 2 findings (2 errors) in 2 files.",
    ]
