"""Bad input: every broken file gets one clear finding, never a traceback, and the rest is still checked."""

from __future__ import annotations

import json
import time

import pytest

from clirun import SYNTAX_ERROR, SYNTAX_LINE, UNUSED_LINE, UNUSED_NOQA, kerlint, write

from kerlint.engine import LintSettings
from kerlint.pool import can_isolate
from kerlint.runner import lint_task

BAD_FILES: dict[str, bytes] = {
    "a_latin1.py": b"x = 1\nname = 'caf\xe9'\n",
    "b_latin1_declared.py": b"# -*- coding: latin-1 -*-\nname = 'caf\xe9'\n",
    "c_binary.py": b"\x7fELF\x00\x01\x02\x00",
    "d_utf16.py": "x = 1\n".encode("utf-16"),
    "e_empty.py": b"",
    "f_huge.py": b"x = 1\n" * 2000,
    "g_syntax.py": SYNTAX_ERROR.encode(),
    "h_good.py": UNUSED_NOQA.encode(),
    "i_only_comments.py": b"# nothing here\n\n\n",
    "j_bom.py": b"\xef\xbb\xbf" + UNUSED_NOQA.encode(),
    "k_deep.py": b"x = " + b"(" * 3000 + b"1" + b")" * 3000 + b"\n",
}

EXPECTED = [
    "a_latin1.py:2:12: KL002 not valid utf-8: byte 0xe9 at line 2; save the file as UTF-8 or add a "
    "`# -*- coding: ... -*-` line: not checked",
    "c_binary.py:1:1: KL002 binary file (contains NUL bytes): not checked",
    "d_utf16.py:1:1: KL002 file is UTF-16 encoded; Python source must be UTF-8 or declare its encoding: not checked",
    "f_huge.py:1:1: KL002 file is 11.7 KiB, over the max-file-size limit of 7.8 KiB: not checked",
    f"g_syntax.py:{SYNTAX_LINE}",
    f"h_good.py:{UNUSED_LINE}",
    f"j_bom.py:{UNUSED_LINE}",
]


def test_bad_files_are_reported_and_the_others_still_checked(tmp_path):
    write(tmp_path, {"pyproject.toml": "[tool.kerlint]\nmax-file-size = 8000\n", **BAD_FILES})
    result = kerlint("check", ".", cwd=tmp_path)
    assert result.code == 1
    findings = result.lines[:-1]
    deep = [line for line in findings if line.startswith("k_deep.py:")]
    assert [line for line in findings if line not in deep] == EXPECTED
    # 3000 nested parentheses crash libcst's parser (SIGSEGV): the worker dies, that file gets one
    # finding, and every other file is still reported
    assert len(deep) == 1 and (" KL001 " in deep[0] or " KL004 " in deep[0]), deep
    assert result.lines[-1].endswith(f"in {len(findings)} of {len(BAD_FILES)} files.")


def test_bad_files_in_json_and_full_output(tmp_path):
    write(tmp_path, {"pyproject.toml": "[tool.kerlint]\nmax-file-size = 8000\n", **BAD_FILES})
    as_json = kerlint("check", "--output-format", "json", *sorted(BAD_FILES)[:8], cwd=tmp_path)
    assert [(f["filename"], f["code"]) for f in json.loads(as_json.out)] == [
        (line.split(":")[0], line.split()[1]) for line in EXPECTED[:-1]
    ]
    full = kerlint("check", "--output-format", "full", *sorted(BAD_FILES), cwd=tmp_path)
    assert full.code == 1
    assert "2 | name = 'caf\\xe9'" not in full.out  # undecodable source is not quoted


def test_syntax_error_at_end_of_file_is_quoted(tmp_path):
    write(tmp_path, {"eof.py": "def f():\n"})
    result = kerlint("check", "--output-format", "full", "eof.py", cwd=tmp_path)
    assert result.code == 1
    assert " KL001 " in result.lines[0]
    assert "1 | def f():" in result.lines


def test_hostile_control_characters_are_escaped(tmp_path):
    write(tmp_path, {"evil.py": "x = '\x1b[2J'  # noqa: KL0999\n"})
    result = kerlint("check", "--output-format", "full", "evil.py", cwd=tmp_path)
    assert "\x1b" not in result.out
    assert "1 | x = '\\x1b[2J'  # noqa: KL0999" in result.lines


def test_binary_on_stdin(tmp_path):
    result = kerlint("check", "-", cwd=tmp_path, stdin=b"\x00\x01\x02")
    assert result.lines == ["-:1:1: KL002 binary file (contains NUL bytes): not checked", "Found 1 finding (1 error) in 1 file."]


def test_huge_stdin(tmp_path):
    write(tmp_path, {"kerlint.toml": "max-file-size = 100\n"})
    result = kerlint("check", "-", cwd=tmp_path, stdin=b"x = 1\n" * 100)
    assert result.lines[0] == "-:1:1: KL002 input is over the max-file-size limit of 100 bytes: not checked"


needs_fork = pytest.mark.skipif(not can_isolate(), reason="files are linted in-process on this platform")


@needs_fork
def test_a_file_that_makes_the_parser_crawl_is_stopped(tmp_path, monkeypatch, capsys):
    """2000 chained subscripts take libcst seconds (and more nest further): the worker is killed at
    its deadline, the file gets one finding, the others are reported."""
    import kerlint.pool
    from kerlint.cli import main

    # `keras` makes it a file kerlint analyses (one without any Keras vocabulary is only syntax-checked)
    write(tmp_path, {"slow.py": "import keras\nx = a" + "[0]" * 2500 + "\n", "good.py": UNUSED_NOQA})
    monkeypatch.setattr(kerlint.pool, "TIMEOUT_BASE", 0.5)
    monkeypatch.setattr(kerlint.pool, "TIMEOUT_PER_MIB", 20.0)
    monkeypatch.chdir(tmp_path)
    assert main(["check", "."]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"good.py:{UNUSED_LINE}"
    assert lines[1].startswith("slow.py:1:1: KL004 analysis did not finish within 0.6")
    assert lines[2] == "Found 2 findings (1 error, 1 warning) in 2 files."


def _waits_then_lints(task):
    """A worker that gets no CPU for 2 s, as on a machine busy with other work; then lints as usual."""
    time.sleep(2.0)
    return lint_task(task)


def _spins(task):
    while True:
        pass


@needs_fork
def test_the_time_limit_counts_cpu_not_the_wall_clock(tmp_path, monkeypatch):
    """A file's limit is CPU time: a worker held off the CPU past its limit still checks its file, and
    one that computes past it is stopped. On a loaded machine a file takes longer but needs no more CPU."""
    import kerlint.pool
    from kerlint.runner import Task

    monkeypatch.setattr(kerlint.pool, "TIMEOUT_BASE", 1.0)
    (tmp_path / "m.py").write_text(UNUSED_NOQA)
    settings = LintSettings.all_rules()
    monkeypatch.setattr(kerlint.pool, "lint_task", _waits_then_lints)  # the forked worker runs this
    (checked,) = list(kerlint.pool.lint_all([Task("m.py", settings, path=tmp_path / "m.py")], jobs=1))
    assert [d.code for d in checked.diagnostics] == ["KL003"]  # the file was checked: its unknown noqa code reported
    monkeypatch.setattr(kerlint.pool, "lint_task", _spins)
    (stopped,) = list(kerlint.pool.lint_all([Task("m.py", settings, path=tmp_path / "m.py")], jobs=1))
    (finding,) = stopped.diagnostics
    assert finding.code == "KL004" and finding.message.startswith("analysis did not finish within 1 s of CPU time")


@needs_fork
def test_workers_are_reused_and_results_complete(tmp_path):
    files = {f"m{i:02}.py": (SYNTAX_ERROR if i % 3 == 0 else UNUSED_NOQA) for i in range(30)}
    write(tmp_path, files)
    result = kerlint("check", ".", cwd=tmp_path)
    assert [line.split(":")[0] for line in result.lines[:-1]] == sorted(files)
    assert result.lines[-1] == "Found 30 findings (10 errors, 20 warnings) in 30 files."


DOUBLING = "".join(f"a{i} = a{i - 1} * a{i - 1}\n" for i in range(1, 80))


def test_values_that_double_at_each_step_are_resolved_in_bounded_work(tmp_path):
    """Each name uses the previous one twice: walked once per path that is 2^79 evaluations. A binding's
    value is computed once per call context, and one question gets a fixed number of evaluations: the
    file is checked (no KL004 time limit) and its other findings are reported."""
    (tmp_path / "chain.py").write_text(
        "import keras\nfrom keras.layers import Dense\n\nmodel = keras.Sequential([Dense(2, activation='relu')])\na0 = 2\n"
        + DOUBLING + "model.compile(loss='categorical_crossentropy', optimizer=keras.optimizers.SGD(learning_rate=a79))\n")
    result = kerlint("check", "--select", "KL101,KL004", "chain.py", cwd=tmp_path)
    assert [line.split(": ")[1].split()[0] for line in result.lines[:-1]] == ["KL101"], result.lines
