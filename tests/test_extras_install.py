"""`pip install 'kerlint[probe]'` into an environment that already has one backend installs no other.

pip itself decides, on the built wheel: for each of TensorFlow, JAX and PyTorch found in this
interpreter's site-packages, a fresh virtual environment holds that backend and what it requires (the
installed files, linked, not copied), and `pip install --dry-run --report` says what pip would add.
Nothing is installed and nothing large is downloaded (keras and its few pure-Python requirements are
resolved from the configured index); where pip cannot resolve them (no index reachable), the test is
skipped and says why.
"""

from __future__ import annotations

import importlib.metadata as metadata
import json
import re
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from test_wheel import _build_wheel

packaging = pytest.importorskip("packaging.requirements")
BACKENDS = {"tensorflow": ("tensorflow", "tensorflow-cpu"), "jax": ("jax",), "torch": ("torch",)}
BACKEND_NAME = re.compile(r"^(tensorflow|jax|torch)($|[-_])")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    return _build_wheel(tmp_path_factory.mktemp("dist"))


def _installed(name: str) -> metadata.Distribution | None:
    try:
        return metadata.distribution(name)
    except metadata.PackageNotFoundError:
        return None


def _closure(root: metadata.Distribution) -> list[metadata.Distribution]:
    """`root` and every distribution it requires (markers evaluated here, extras not followed), as installed."""
    found: dict[str, metadata.Distribution] = {}
    pending = [root]
    while pending:
        dist = pending.pop()
        key = _normal(dist.metadata["Name"])
        if key in found:
            continue
        found[key] = dist
        for text in dist.requires or []:
            requirement = packaging.Requirement(text)
            if requirement.marker is not None and not requirement.marker.evaluate({"extra": ""}):
                continue
            needed = _installed(requirement.name)
            if needed is not None:
                pending.append(needed)
    return list(found.values())


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _environment_with(dists: list[metadata.Distribution], where: Path) -> Path:
    """A virtual environment (no pip of its own) whose site-packages links the files of `dists`."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(where)], check=True, capture_output=True, timeout=120)
    python = where / "bin" / "python"
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               check=True, capture_output=True, text=True).stdout.strip())
    ours = Path(sysconfig.get_paths()["purelib"])
    for dist in dists:
        tops = {Path(str(file)).parts[0] for file in dist.files or [] if not str(file).startswith("..")}
        if getattr(dist, "_path", None) is not None:
            tops.add(Path(dist._path).name)  # the .dist-info folder pip reads
        for top in tops:
            target = site / top
            if (ours / top).exists() and not target.exists():
                target.symlink_to(ours / top)
    return python


def _would_install(python: Path, requirement: str, report: Path) -> list[str]:
    done = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--dry-run", "--quiet",
                           "--report", str(report), requirement], capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        if "ResolutionImpossible" in done.stderr:
            pytest.fail(f"pip found the requirements impossible to satisfy: {done.stderr[-2000:]}")
        pytest.skip(f"pip could not resolve {requirement} here (offline?): {done.stderr.strip()[-300:]}")
    return sorted(_normal(item["metadata"]["name"]) for item in json.loads(report.read_text())["install"])


@pytest.mark.parametrize("backend", list(BACKENDS))
def test_probe_extra_next_to_a_backend_installs_no_other_backend(backend, wheel, tmp_path):
    found = next((d for d in map(_installed, BACKENDS[backend]) if d is not None), None)
    if found is None:
        pytest.skip(f"{backend} is not installed here to build an environment around")
    closure = _closure(found)
    python = _environment_with(closure, tmp_path / "env")
    seen = subprocess.run([str(python), "-c", "import importlib.metadata as m; print(sorted(d.metadata['Name'] for d in m.distributions()))"],
                          check=True, capture_output=True, text=True).stdout
    assert found.metadata["Name"] in seen  # the environment really has the backend, as pip will see it

    added = _would_install(python, f"{wheel}[probe]", tmp_path / "report.json")
    assert "kerlint" in added and ("keras" in added or "keras" in {_normal(d.metadata["Name"]) for d in closure})
    assert [name for name in added if BACKEND_NAME.match(name)] == [], added


def test_the_report_would_show_a_backend_the_extra_added(wheel, tmp_path):
    """The check above can fail: next to PyTorch, `probe-jax` does add JAX, and the report says so."""
    torch = _installed("torch")
    if torch is None or _installed("jax") is None:
        pytest.skip("needs torch (for the environment) and jax (to resolve probe-jax from the index)")
    python = _environment_with(_closure(torch), tmp_path / "env")
    added = _would_install(python, f"{wheel}[probe-jax]", tmp_path / "report.json")
    assert {"jax", "jaxlib"} <= set(added), added
