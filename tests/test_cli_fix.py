"""`kerlint check --fix / --diff / --unsafe-fixes`, run as a user runs it (a separate process)."""

from __future__ import annotations

import json
import os
import shutil
import stat
from pathlib import Path

import pytest

from clirun import SYNTAX_ERROR, kerlint, write

DATA = Path(__file__).parent / "data" / "notebooks"

LEGACY = (
    "from tensorflow import keras\n"
    "\n"
    "# tuned by hand\n"
    "opt = keras.optimizers.Adam(lr=1e-3)  # keep this comment\n"
    "model.fit_generator(gen, nb_epoch=3)\n"
)
FIXED = (
    "from tensorflow import keras\n"
    "\n"
    "# tuned by hand\n"
    "opt = keras.optimizers.Adam(learning_rate=1e-3)  # keep this comment\n"
    "model.fit(gen, epochs=3)\n"
)
NOTHING_FIXABLE = "from tensorflow import keras\n\nopt = keras.optimizers.Adam(learning_rate=1e-3)\n"


def test_fix_rewrites_the_file_keeps_comments_and_reports_what_is_left(tmp_path):
    write(tmp_path, {"train.py": LEGACY})
    result = kerlint("check", "--isolated", "--fix", "train.py", cwd=tmp_path)
    assert (tmp_path / "train.py").read_text() == FIXED
    assert result.lines == ["All checks passed! (1 file)", "Applied 3 fixes."]
    assert result.code == 0


def test_a_second_fix_changes_nothing(tmp_path):
    write(tmp_path, {"train.py": LEGACY})
    kerlint("check", "--isolated", "--fix", "train.py", cwd=tmp_path)
    before = os.stat(tmp_path / "train.py").st_mtime_ns
    result = kerlint("check", "--isolated", "--fix", "train.py", cwd=tmp_path)
    assert result.lines[-1] == "Applied 0 fixes."
    assert os.stat(tmp_path / "train.py").st_mtime_ns == before


def test_diff_prints_a_unified_diff_writes_nothing_and_exits_1(tmp_path):
    write(tmp_path, {"train.py": LEGACY})
    result = kerlint("check", "--isolated", "--diff", "train.py", cwd=tmp_path)
    assert result.code == 1
    assert result.lines[:3] == ["--- train.py", "+++ train.py", "@@ -1,5 +1,5 @@"]
    assert "-opt = keras.optimizers.Adam(lr=1e-3)  # keep this comment" in result.lines
    assert "+opt = keras.optimizers.Adam(learning_rate=1e-3)  # keep this comment" in result.lines
    assert "+model.fit(gen, epochs=3)" in result.lines
    assert result.err == "Would apply 3 fixes.\n"
    assert (tmp_path / "train.py").read_text() == LEGACY


def test_diff_exits_0_when_nothing_would_change(tmp_path):
    write(tmp_path, {"train.py": NOTHING_FIXABLE})
    result = kerlint("check", "--isolated", "--diff", "train.py", cwd=tmp_path)
    assert (result.code, result.out, result.err) == (0, "", "Would apply 0 fixes.\n")


def test_fix_never_touches_a_file_without_a_fixable_finding(tmp_path):
    write(tmp_path, {"clean.py": NOTHING_FIXABLE, "broken.py": SYNTAX_ERROR + "opt = Adam(lr=1)\n", "legacy.py": LEGACY})
    old = {name: (path.read_bytes(), os.stat(path).st_mtime_ns) for name in ("clean.py", "broken.py") for path in [tmp_path / name]}
    result = kerlint("check", "--isolated", "--fix", ".", cwd=tmp_path)
    assert {name: (path.read_bytes(), os.stat(path).st_mtime_ns) for name in old for path in [tmp_path / name]} == old
    assert "broken.py:1:5: KL001" in result.out  # the file with a syntax error is reported, not rewritten
    assert (tmp_path / "legacy.py").read_text() == FIXED
    assert result.lines[-1] == "Applied 3 fixes."


def _unwritable_prefix() -> list[str]:
    """root writes to a read-only file anyway unless it gives up CAP_DAC_OVERRIDE."""
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: a read-only file is writable")
    return ["setpriv", "--bounding-set=-dac_override"]


def test_a_read_only_file_is_reported_and_the_others_are_still_fixed(tmp_path):
    write(tmp_path, {"locked.py": LEGACY, "open.py": LEGACY})
    (tmp_path / "locked.py").chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    result = kerlint("check", "--isolated", "--fix", ".", cwd=tmp_path, prefix=_unwritable_prefix())
    assert result.err == "kerlint: error: locked.py: the fixes could not be written (permission denied); the file was left as it was\n"
    assert (tmp_path / "locked.py").read_text() == LEGACY
    assert (tmp_path / "open.py").read_text() == FIXED
    assert "locked.py:4:29: KL701" in result.out  # its findings are still reported
    assert result.lines[-1] == "Applied 3 fixes."
    assert result.code == 1


def test_fix_in_a_notebook_rewrites_only_the_changed_cell(tmp_path):
    shutil.copy(DATA / "mnist_jupyter.ipynb", tmp_path / "mnist.ipynb")
    before = (tmp_path / "mnist.ipynb").read_text(encoding="utf-8")
    result = kerlint("check", "--isolated", "--fix", "mnist.ipynb", cwd=tmp_path)
    after = (tmp_path / "mnist.ipynb").read_text(encoding="utf-8")
    assert after == before.replace('"legacy = keras.optimizers.Adam(lr=1e-3)\\n"', '"legacy = keras.optimizers.Adam(learning_rate=1e-3)\\n"')
    assert after != before
    assert json.loads(after)["metadata"] == json.loads(before)["metadata"]
    assert result.lines[-1] == "Applied 1 fix (1 more with --unsafe-fixes)."  # KL101's softmax head
    assert "KL701" not in result.out and "mnist.ipynb:cell 8:1:6: KL001" in result.out  # the broken cell is left alone


UNCLIPPED = (
    "import keras\n"
    "\n"
    "optimizer = keras.optimizers.SGD(learning_rate=0.5, momentum=0.9)\n"
    "model.compile(optimizer=optimizer, loss='mse')\n"
    "model.fit(x, y, epochs=10)\n"
)


def test_unsafe_fixes_are_counted_but_applied_only_with_unsafe_fixes(tmp_path):
    write(tmp_path, {"train.py": UNCLIPPED})
    safe = kerlint("check", "--isolated", "--fix", "--select", "KL301", "train.py", cwd=tmp_path)
    assert (tmp_path / "train.py").read_text() == UNCLIPPED
    assert safe.lines[-1] == "Applied 0 fixes (1 more with --unsafe-fixes)."
    assert safe.lines[0].startswith("train.py:3:13: KL301 ")
    assert safe.code == 1
    unsafe = kerlint("check", "--isolated", "--fix", "--unsafe-fixes", "--select", "KL301", "train.py", cwd=tmp_path)
    assert (tmp_path / "train.py").read_text() == UNCLIPPED.replace("momentum=0.9)", "momentum=0.9, clipnorm=1.0)")
    assert unsafe.lines == ["All checks passed! (1 file)", "Applied 1 fix."]
    assert unsafe.code == 0


def test_fix_is_not_skipped_by_a_cached_result(tmp_path):
    write(tmp_path, {"train.py": LEGACY})
    plain = kerlint("check", "--isolated", "train.py", cwd=tmp_path)  # caches this file's findings
    assert "KL701" in plain.out
    fixed = kerlint("check", "--isolated", "--fix", "train.py", cwd=tmp_path)
    assert (tmp_path / "train.py").read_text() == FIXED
    assert fixed.lines == ["All checks passed! (1 file)", "Applied 3 fixes."]
    again = kerlint("check", "--isolated", "train.py", cwd=tmp_path)
    assert again.lines == ["All checks passed! (1 file)"]
