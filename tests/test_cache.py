"""The cache: a re-run answers from it with the same findings, never stale ones, and never fails on it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

from clirun import REPO, SYNTAX_ERROR, SYNTAX_LINE, UNUSED_LINE, UNUSED_NOQA, kerlint, write

from kerlint.cache import ENVIRONMENT_VARIABLE, Cache, decode, encode
from kerlint.diagnostic import Diagnostic, Related, Severity, Span

SEED = (REPO / "fixtures" / "seeds" / "seed_003_relu_categorical.py").read_text(encoding="utf-8")


def _project(root: Path) -> Path:
    files = {f"m{i:02}.py": (SYNTAX_ERROR if i % 3 == 0 else UNUSED_NOQA) for i in range(12)}
    write(root, {**files, "seed.py": SEED, "clean.py": "x = 1\n"})
    return root


def _entries(cache: Path) -> list[Path]:
    return sorted(cache.rglob("*.json"))


def test_a_warm_run_reports_what_a_cold_run_does(tmp_path):
    project = _project(tmp_path / "p")
    cache = tmp_path / "cache"
    uncached = kerlint("check", ".", "--no-cache", cwd=project)
    cold = kerlint("check", ".", "--cache-dir", str(cache), cwd=project)
    assert len(_entries(cache)) == 14  # one per file
    warm = kerlint("check", ".", "--cache-dir", str(cache), cwd=project)
    assert (uncached.code, uncached.out) == (cold.code, cold.out) == (warm.code, warm.out)
    assert any(": KL101 " in line for line in warm.lines)
    full = kerlint("check", ".", "--cache-dir", str(cache), "--output-format", "full", cwd=project)
    assert full.out == kerlint("check", ".", "--no-cache", "--output-format", "full", cwd=project).out


def test_the_default_cache_is_in_the_project_root_and_ignores_itself(tmp_path):
    project = _project(tmp_path)
    write(project, {"pyproject.toml": "[tool.kerlint]\nignore = ['KL003']\n", "sub/x.py": SYNTAX_ERROR})
    env = {key: value for key, value in os.environ.items() if key != ENVIRONMENT_VARIABLE}
    done = subprocess.run([sys.executable, "-m", "kerlint", "check", "x.py"], cwd=project / "sub", env={
        **env, "PYTHONPATH": str(REPO)}, capture_output=True, text=True)
    assert done.stdout.splitlines()[0] == f"x.py:{SYNTAX_LINE}"
    assert not (project / "sub" / ".kerlint_cache").exists()
    assert (project / ".kerlint_cache" / ".gitignore").read_text(encoding="utf-8").splitlines()[-1] == "*"
    assert len(_entries(project / ".kerlint_cache")) == 1


def test_no_cache_writes_nothing(tmp_path):
    project = _project(tmp_path / "p")
    cache = tmp_path / "cache"
    kerlint("check", ".", "--no-cache", "--cache-dir", str(cache), cwd=project)
    assert not cache.exists()


def test_an_edit_is_never_answered_from_the_cache(tmp_path):
    project = _project(tmp_path / "p")
    cache = ["--cache-dir", str(tmp_path / "cache")]
    assert kerlint("check", "clean.py", *cache, cwd=project).code == 0
    (project / "clean.py").write_text(UNUSED_NOQA, encoding="utf-8")
    assert kerlint("check", "clean.py", *cache, cwd=project).lines[0] == f"clean.py:{UNUSED_LINE}"
    (project / "clean.py").write_text("x = 1\n", encoding="utf-8")
    assert kerlint("check", "clean.py", *cache, cwd=project).code == 0


def test_settings_are_part_of_the_key(tmp_path):
    project = _project(tmp_path / "p")
    cache = ["--cache-dir", str(tmp_path / "cache")]
    assert kerlint("check", "m01.py", "--ignore", "KL003", *cache, cwd=project).code == 0
    assert kerlint("check", "m01.py", *cache, cwd=project).lines[0] == f"m01.py:{UNUSED_LINE}"
    assert kerlint("check", "seed.py", "--select", "KL3", *cache, cwd=project).code == 0
    assert any(": KL101 " in line for line in kerlint("check", "seed.py", *cache, cwd=project).lines)


def test_damaged_entries_are_ignored_and_rebuilt(tmp_path):
    project = _project(tmp_path / "p")
    cache = tmp_path / "cache"
    expected = kerlint("check", ".", "--cache-dir", str(cache), cwd=project)
    entries = _entries(cache)
    for number, entry in enumerate(entries):
        text = entry.read_bytes()
        entry.write_bytes([b"", text[: len(text) // 2], b"\x80\x81 not json", b'{"key": 1}',
                           text.replace(b'"span"', b'"spam"')][number % 5])
    again = kerlint("check", ".", "--cache-dir", str(cache), cwd=project)
    assert (again.code, again.out) == (expected.code, expected.out)
    assert [entry.read_bytes() for entry in _entries(cache)] != []
    assert kerlint("check", ".", "--cache-dir", str(cache), cwd=project).out == expected.out
    assert _entries(cache) == entries


def test_two_processes_sharing_a_cache_both_finish_with_the_serial_results(tmp_path):
    project = _project(tmp_path / "p")
    write(project, {f"copy{i}.py": SEED.replace("Dense(2", f"Dense({i + 2}") for i in range(20)})
    serial = kerlint("check", ".", "--no-cache", cwd=project)
    command = [sys.executable, "-m", "kerlint", "check", ".", "--cache-dir", str(tmp_path / "cache")]
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONIOENCODING": "utf-8"}
    for _ in range(2):  # into an empty cache, then into a full one
        runs = [subprocess.Popen(command, cwd=project, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                for _ in range(2)]
        outputs = [run.communicate(timeout=120) for run in runs]
        assert [(run.returncode, out.decode(), err) for run, (out, err) in zip(runs, outputs)] == [
            (serial.code, serial.out, b"")] * 2


def test_a_cache_that_cannot_be_written_is_skipped(tmp_path):
    project = _project(tmp_path / "p")
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory", encoding="utf-8")
    expected = kerlint("check", ".", "--no-cache", cwd=project)
    result = kerlint("check", ".", "--cache-dir", str(blocker / "cache"), cwd=project)
    assert (result.code, result.out, result.err) == (expected.code, expected.out, "")


def test_clean_removes_the_cache_and_nothing_else(tmp_path):
    project = _project(tmp_path / "p")
    cache = tmp_path / "cache"
    kerlint("check", ".", "--cache-dir", str(cache), cwd=project)
    assert cache.is_dir()
    assert kerlint("clean", "--cache-dir", str(cache), cwd=project).code == 0
    assert not cache.exists() and (project / "seed.py").is_file()
    refused = kerlint("clean", "--cache-dir", str(project), cwd=project)
    assert refused.code == 2 and "is not a kerlint cache" in refused.err
    assert (project / "seed.py").is_file()


def test_the_key_changes_when_kerlints_own_code_does(tmp_path):
    """A checkout's version doesn't change with its code; the sources' hash does."""
    copy = tmp_path / "checkout"
    for name in ("kerlint", "rules"):
        shutil.copytree(REPO / name, copy / name, ignore=shutil.ignore_patterns("__pycache__"))
    script = "from kerlint.cache import code_fingerprint; print(code_fingerprint())"
    env = {**os.environ, "PYTHONPATH": str(copy)}

    def fingerprint() -> str:
        return subprocess.run([sys.executable, "-c", script], cwd=copy, env=env, capture_output=True,
                              text=True, check=True).stdout

    before = fingerprint()
    rule = sorted((copy / "rules").glob("kl1*.py"))[0]
    rule.write_text(rule.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    assert fingerprint() != before


def test_jobs(tmp_path):
    project = _project(tmp_path / "p")
    one = kerlint("check", ".", "--no-cache", "--jobs", "1", cwd=project)
    assert one.out == kerlint("check", ".", "--no-cache", "-j", "3", cwd=project).out
    assert one.lines[-1] == "Found 15 findings (5 errors, 9 warnings, 1 info) in 13 of 14 files."
    bad = kerlint("check", ".", "--jobs", "0", cwd=project)
    assert bad.code == 2 and "expected a positive whole number" in bad.err


def test_findings_round_trip_through_json():
    diagnostic = Diagnostic(
        code="KL101", name="n", tag="activation-loss", severity=Severity.ERROR, message="m é", path="a/b.py",
        span=Span(3, 4, 5, 6), fix=None, url="u", related=(Related(Span.point(1), "compiled here"),),
    )
    assert decode(Diagnostic, encode(diagnostic)) == diagnostic
    from kerlint.fix import Edit, Fix  # diagnostic.py names Fix only for type checkers

    fixed = replace(diagnostic, autofix=Fix("Use learning_rate", (Edit(Span(1, 4, 1, 6), "learning_rate"),)), cell=2)
    assert decode(Diagnostic, json.loads(json.dumps(encode(fixed)))) == fixed


def test_an_entry_for_another_key_is_a_miss(tmp_path):
    cache = Cache(tmp_path)
    cache.put("a" * 64, [])
    assert cache.get("a" * 64) == []
    (tmp_path / "v1" / "aa" / f"{'a' * 64}.json").rename(tmp_path / "v1" / "aa" / f"{'a' * 63}b.json")
    assert cache.get("a" * 63 + "b") is None
