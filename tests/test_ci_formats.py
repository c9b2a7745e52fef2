"""`--output-format github` (workflow-command annotations) and `--output-format junit` (JUnit XML)."""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET

from clirun import REPO, SYNTAX_ERROR, kerlint, write

from kerlint.diagnostic import Diagnostic, Related, Severity, Span
from kerlint.reporters import Report, github, junit

SEED = REPO / "fixtures" / "seeds" / "seed_003_relu_categorical.py"
COMMAND = re.compile(r"^::(error|warning|notice) (?P<properties>[^:]*)::(?P<message>.*)$")


def _diagnostic(message: str = "m", path: str = "a.py", severity: Severity = Severity.WARNING, **extra) -> Diagnostic:
    return Diagnostic("KL301", "unclipped-sgd-momentum", "optimizer", severity, message, path, Span(3, 4, 3, 9), **extra)


def _properties(text: str) -> dict[str, str]:
    return dict(part.split("=", 1) for part in text.split(","))


# --- github ---------------------------------------------------------------------------------------

def test_github_annotations_match_the_concise_findings(tmp_path):
    shutil.copy(SEED, tmp_path / "train.py")
    result = kerlint("check", "--output-format", "github", "train.py", cwd=tmp_path)
    assert result.code == 1
    *commands, summary = result.lines
    assert summary.startswith("Found 3 findings")
    concise = kerlint("check", "train.py", cwd=tmp_path).lines[:-1]
    assert len(commands) == len(concise) == 3
    for line, plain in zip(commands, concise):
        match = COMMAND.match(line)
        assert match, line
        properties = _properties(match["properties"])
        assert plain.startswith(f"{properties['file']}:{properties['line']}:{properties['col']}: ")
        assert properties["title"].split()[0] == plain.split()[1]  # the code
        assert int(properties["endLine"]) >= int(properties["line"])
    kl101 = next(line for line in commands if "KL101" in line)
    assert kl101.startswith(
        "::error file=train.py,line=12,col=37,endLine=12,endColumn=54,"
        "title=KL101 non-softmax-output-with-categorical-crossentropy::Dense(numclasses, activation='relu') feeds"
    )
    assert {COMMAND.match(line)[1] for line in commands} == {"error", "warning", "notice"}


def test_github_escapes_data_and_properties():
    assert github.escape_data("100% done\r\nnext") == "100%25 done%0D%0Anext"
    assert github.escape_property("dir,1/a:b.py") == "dir%2C1/a%3Ab.py"
    line = github.command(_diagnostic("a: 50%\nb, c", path="odd,dir/x:y.py"))
    assert line == (
        "::warning file=odd%2Cdir/x%3Ay.py,line=3,col=5,endLine=3,endColumn=10,"
        "title=KL301 unclipped-sgd-momentum::a: 50%25%0Ab, c"
    )
    assert "\n" not in line and COMMAND.match(line)


def test_github_output_for_a_clean_run_is_only_the_summary(tmp_path):
    write(tmp_path, {"clean.py": "x = 1\n"})
    result = kerlint("check", "--output-format", "github", "clean.py", cwd=tmp_path)
    assert (result.code, result.lines) == (0, ["All checks passed! (1 file)"])


# --- junit ----------------------------------------------------------------------------------------

def test_junit_is_well_formed_with_a_failed_testcase_per_finding(tmp_path):
    shutil.copy(SEED, tmp_path / "train.py")
    write(tmp_path, {"bad.py": SYNTAX_ERROR, "clean.py": "x = 1\n"})
    result = kerlint("check", "--output-format", "junit", ".", cwd=tmp_path)
    assert result.code == 1 and result.out.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    root = ET.fromstring(result.out.encode("utf-8"))
    assert root.tag == "testsuites"
    (suite,) = root.findall("testsuite")
    assert suite.get("name") == "kerlint"
    cases = suite.findall("testcase")
    assert len(cases) == int(suite.get("tests")) == int(suite.get("failures")) == 4
    assert suite.find("properties/property[@name='files_checked']").get("value") == "3"
    assert [case.get("classname") for case in cases] == ["bad.py", "train.py", "train.py", "train.py"]
    kl101 = next(case for case in cases if case.get("name").startswith("KL101"))
    assert kl101.get("name") == "KL101 non-softmax-output-with-categorical-crossentropy at train.py:12:37"
    failure = kl101.find("failure")
    assert failure.get("type") == "error"
    assert failure.get("message").startswith("KL101 Dense(numclasses, activation='relu') feeds categorical_crossentropy")
    assert failure.text.startswith("train.py:12:37: KL101 [error] ")
    assert "note: train.py:17:24: loss 'categorical_crossentropy' set here" in failure.text
    assert "help: Use activation='softmax'" in failure.text and "docs: https://" in failure.text


def test_junit_clean_run_is_one_passing_testcase(tmp_path):
    write(tmp_path, {"clean.py": "x = 1\n"})
    result = kerlint("check", "--output-format", "junit", "clean.py", cwd=tmp_path)
    assert result.code == 0
    suite = ET.fromstring(result.out.encode("utf-8")).find("testsuite")
    assert (suite.get("tests"), suite.get("failures")) == ("1", "0")
    (case,) = suite.findall("testcase")
    assert case.find("failure") is None


def test_junit_stays_well_formed_with_control_characters_and_markup():
    nasty = _diagnostic("<b>&\x1b[31m\x00 \ud800 ]]> \"quoted\"", path="we<ird>\x07.py",
                        related=(Related(Span(1, 0, 1, 1), "a\x0bb"),), fix="x < y & z")
    text = junit.render(Report([nasty], files_checked=1))
    root = ET.fromstring(text.encode("utf-8"))  # strict: no lone surrogate leaks through
    failure = root.find("testsuite/testcase/failure")
    assert "<b>&" in failure.get("message") and "\\x1b" in failure.get("message")
    assert "help: x < y & z" in failure.text


# --- a training probe's verdict -------------------------------------------------------------------

def test_probe_verdicts_reach_every_ci_format():
    from kerlint.reporters import sarif

    probe = {"verdict": "confirmed", "evidence": "loss NaN at step 17", "steps": 40, "grad_norms": [1.0, float("nan")]}
    diagnostic = _diagnostic("unclipped", extra={"probe": probe})
    report = Report([diagnostic], files_checked=1)
    assert github.command(diagnostic).endswith("::unclipped [probe: confirmed — loss NaN at step 17]")
    failure = ET.fromstring(junit.render(report).encode("utf-8")).find("testsuite/testcase/failure")
    assert "probe: confirmed — loss NaN at step 17" in failure.text
    (result,) = sarif.log(report)["runs"][0]["results"]
    assert result["message"]["text"] == "unclipped [probe: confirmed — loss NaN at step 17]"
    assert result["properties"]["probe"]["grad_norms"] == [1.0, None]
