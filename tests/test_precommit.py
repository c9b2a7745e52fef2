"""The pre-commit hooks, black-box: the real `pre-commit try-repo` installs the `kerlint` hook into
its own virtualenv (pip install of this project: libcst and pathspec, no TensorFlow) and runs it on
a file committed to a temporary git repository.

SLOW (about a minute, most of it pip): the only test here that builds a virtualenv. It runs in the
normal suite; PRE_COMMIT_HOME lives in a temporary directory, so nothing outside it is touched.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from clirun import REPO

# What `pip install .` needs to build kerlint, plus the hooks manifest.
PROJECT_FILES = ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml")
PROJECT_DIRS = ("kerlint", "rules")
GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "kerlint tests", "GIT_AUTHOR_EMAIL": "tests@kerlint.invalid",
    "GIT_COMMITTER_NAME": "kerlint tests", "GIT_COMMITTER_EMAIL": "tests@kerlint.invalid",
}


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false", *args], cwd=cwd,
                   check=True, capture_output=True, env={**os.environ, **GIT_IDENTITY}, timeout=60)


def _committed_repo(root: Path) -> Path:
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "snapshot")
    return root


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory) -> Path:
    """A git repository holding the current working tree's kerlint (committed or not)."""
    root = tmp_path_factory.mktemp("hook-repo")
    for name in PROJECT_FILES:
        shutil.copy2(REPO / name, root / name)
    for name in PROJECT_DIRS:
        shutil.copytree(REPO / name, root / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return _committed_repo(root)


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


def _try_repo(hook_repo: Path, home: Path, tmp_path: Path, source: Path, name: str = "train.py") -> subprocess.CompletedProcess:
    project = tmp_path / "project"
    project.mkdir(parents=True)
    shutil.copy2(source, project / name)
    _committed_repo(project)
    env = {**os.environ, **GIT_IDENTITY, "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never"}
    env.pop("VIRTUAL_ENV", None)
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(hook_repo), "kerlint", "--files", name],
        cwd=project, env=env, capture_output=True, text=True, timeout=600,
    )


def test_manifest_declares_a_light_static_hook_and_a_manual_probe_hook():
    hooks = {hook["id"]: hook for hook in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())}
    static, probe = hooks["kerlint"], hooks["kerlint-probe"]
    assert static["entry"] == "kerlint check" and static["language"] == "python" and static["types_or"] == ["python", "jupyter"]
    assert "additional_dependencies" not in static and "stages" not in static  # no TensorFlow, runs on commit
    # the probe hook runs the user's own kerlint, Keras and backend: it installs no framework of its own
    assert probe["entry"] == "kerlint check --probe" and probe["stages"] == ["manual"]
    assert probe["language"] == "system" and "additional_dependencies" not in probe
    cpu = hooks["kerlint-probe-jax-cpu"]  # for a machine with no backend: Keras and JAX on the CPU, never TensorFlow
    assert cpu["entry"] == "kerlint check --probe" and cpu["stages"] == ["manual"] and cpu["language"] == "python"
    assert sorted(dep.split(">")[0] for dep in cpu["additional_dependencies"]) == ["jax[cpu]", "keras"]


def test_probe_extra_installs_keras_and_no_backend():
    """`pip install kerlint[probe]` next to a tensorflow (GPU), jax or torch install adds Keras and nothing that
    could replace or duplicate the backend; only the probe-* extras name one, each a CPU build."""
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib

    extras = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["optional-dependencies"]

    def names(extra):
        found = set()
        for requirement in extras[extra]:
            name = requirement.split(";")[0].split(">")[0].split("[")[0].strip()
            if name == "kerlint":  # another extra of ours: its requirements
                found = found.union(*(names(extra) for extra in requirement.split("[")[1].split("]")[0].split(",")))
            else:
                found.add(name)
        return found

    backends = {"tensorflow", "tensorflow-cpu", "jax", "jaxlib", "torch"}
    assert names("probe") == names("keras") == {"keras"}
    assert names("probe-tf-cpu") & backends == {"tensorflow-cpu", "tensorflow"}  # tensorflow only off x86_64
    assert names("probe-jax") & backends == {"jax"} and names("probe-torch") & backends == {"torch"}
    assert all("tensorflow-cpu" not in names(extra) for extra in extras if extra not in ("probe-tf-cpu", "dev"))
    assert names("dev") >= {"keras", "tensorflow-cpu", "jax", "hypothesis"} and "torch" not in names("dev")


def test_pre_commit_is_in_the_dev_extra():
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib

    dev = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["optional-dependencies"]["dev"]
    assert any(requirement.startswith("pre-commit") for requirement in dev)


def test_slow_try_repo_blocks_the_seed_program_and_passes_its_fix(hook_repo, pre_commit_home, tmp_path):
    broken = _try_repo(hook_repo, pre_commit_home, tmp_path / "broken", REPO / "fixtures/seeds/seed_003_relu_categorical.py")
    output = broken.stdout + broken.stderr
    assert broken.returncode == 1, output
    assert "Failed" in output, output
    assert "train.py:12:37: KL101 Dense(numclasses, activation='relu') feeds categorical_crossentropy" in output, output

    fixed = _try_repo(hook_repo, pre_commit_home, tmp_path / "fixed", REPO / "fixtures/modern/modern_003_relu_categorical_fixed.py")
    output = fixed.stdout + fixed.stderr
    assert fixed.returncode == 0, output
    assert "Passed" in output and "KL101" not in output, output


def test_slow_try_repo_checks_a_notebook_at_its_cell(hook_repo, pre_commit_home, tmp_path):
    broken = _try_repo(hook_repo, pre_commit_home, tmp_path, REPO / "tests/data/notebooks/mnist_jupyter.ipynb", "mnist.ipynb")
    output = broken.stdout + broken.stderr
    assert broken.returncode == 1, output
    assert 'mnist.ipynb:cell 5:5:22: KL101 layers.Dense(10, activation="relu") feeds categorical_crossentropy' in output, output
