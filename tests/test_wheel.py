"""The wheel ships the top-level rules/ folder as kerlint.rules, and works outside the checkout."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import zipfile

import pytest
from clirun import REPO

from kerlint.registry import all_rules


def _build_wheel(out) -> zipfile.Path:
    if importlib.util.find_spec("build") is None or importlib.util.find_spec("hatchling") is None:
        pytest.skip("needs the `build` and `hatchling` packages (the dev extra)")
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), str(REPO)],
        check=True, capture_output=True, timeout=300,
    )
    (wheel,) = out.glob("kerlint-*.whl")
    return wheel


def test_wheel_contains_the_rules_and_they_import_from_it(tmp_path):
    wheel = _build_wheel(tmp_path / "dist")
    names = zipfile.ZipFile(wheel).namelist()
    shipped = sorted(name for name in names if name.startswith("kerlint/rules/kl") and name.endswith(".py"))
    assert len(shipped) == len(all_rules())
    assert "kerlint/rules/__init__.py" in names and "kerlint/cli.py" in names
    assert not [name for name in names if "__pycache__" in name or name.startswith("rules/")]

    unpacked = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(unpacked)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    env = {**os.environ, "PYTHONPATH": str(unpacked)}
    probe = (
        "import json, kerlint, kerlint.rules, kerlint.registry;"
        "print(json.dumps([kerlint.__file__, kerlint.rules.__file__, [r.code for r in kerlint.registry.all_rules()]]))"
    )
    done = subprocess.run([sys.executable, "-c", probe], cwd=outside, env=env, capture_output=True, text=True, check=True)
    package_file, rules_file, codes = json.loads(done.stdout)
    assert package_file.startswith(str(unpacked)) and rules_file.startswith(str(unpacked / "kerlint" / "rules"))
    assert codes == [rule.code for rule in all_rules()]

    (outside / "bad.py").write_text("x = (\n")
    cli = subprocess.run([sys.executable, "-m", "kerlint", "check", "bad.py"], cwd=outside, env=env, capture_output=True, text=True)
    assert cli.returncode == 1 and cli.stdout.startswith("bad.py:1:5: KL001 ")
