"""`--output-format sarif`, validated against the official SARIF 2.1.0 JSON schema.

tests/data/sarif-2.1.0.json is that schema, vendored unchanged: `Schemata/sarif-schema-2.1.0.json`
from the OASIS SARIF TC's repository (github.com/oasis-tcs/sarif-spec, commit
0a8091f7d4057e57b6d8d9b56129e5f918747b34), whose `id` is
https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import pytest
from clirun import REPO, SYNTAX_ERROR, kerlint, write

from kerlint.registry import all_rules

SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-2.1.0.json").read_text(encoding="utf-8"))
SEED = REPO / "fixtures" / "seeds" / "seed_003_relu_categorical.py"


def sarif(*args: str, cwd: Path, code: int = 1) -> dict:
    result = kerlint("check", "--output-format", "sarif", *args, cwd=cwd)
    assert result.code == code, result.err
    log = json.loads(result.out)
    jsonschema.Draft4Validator(SCHEMA, format_checker=jsonschema.FormatChecker()).validate(log)
    return log


def concise(*args: str, cwd: Path) -> list[tuple[str, int, int, str]]:
    """(path, line, column, code) of each finding, as the concise format prints them."""
    found = []
    for line in kerlint("check", *args, cwd=cwd).lines[:-1]:
        path, row, col, rest = line.split(":", 3)
        found.append((path, int(row), int(col), rest.split()[0]))
    return found


def test_vendored_schema_is_the_official_draft_4_schema():
    jsonschema.Draft4Validator.check_schema(SCHEMA)
    assert SCHEMA["id"].endswith("/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json")
    assert "run" in SCHEMA["definitions"] and SCHEMA["properties"]["version"]["enum"] == ["2.1.0"]


def test_seed_program_log_validates_and_describes_every_rule(tmp_path):
    shutil.copy(SEED, tmp_path / "train.py")
    log = sarif("train.py", cwd=tmp_path)
    assert log["version"] == "2.1.0" and log["$schema"] == SCHEMA["id"]
    (run,) = log["runs"]
    assert run["columnKind"] == "unicodeCodePoints"
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == tmp_path.resolve().as_uri() + "/"
    driver = run["tool"]["driver"]
    assert driver["name"] == "kerlint" and driver["version"] and driver["informationUri"].startswith("https://")
    rules = driver["rules"]
    assert [rule["id"] for rule in rules] == [rule.code for rule in all_rules()]
    for descriptor, rule in zip(rules, all_rules()):
        assert descriptor["name"] == rule.name
        assert descriptor["shortDescription"]["text"] == rule.summary
        assert descriptor["fullDescription"]["text"]
        assert descriptor["help"]["markdown"] == rule.docs() and "## Why is this bad?" in descriptor["help"]["text"]
        assert descriptor["helpUri"] == rule.url()
        assert descriptor["defaultConfiguration"]["level"] == {"error": "error", "warning": "warning", "info": "note"}[rule.severity.label]
        assert descriptor["properties"]["tags"] == [rule.tag]


def test_results_match_the_concise_output_with_one_based_regions(tmp_path):
    shutil.copy(SEED, tmp_path / "train.py")
    (run,) = sarif("train.py", cwd=tmp_path)["runs"]
    rules = run["tool"]["driver"]["rules"]
    seen = []
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        (location,) = result["locations"]
        physical = location["physicalLocation"]
        assert physical["artifactLocation"] == {"uri": "train.py", "uriBaseId": "%SRCROOT%"}
        region = physical["region"]
        assert region["endLine"] >= region["startLine"] >= 1 and region["endColumn"] >= 1
        seen.append(("train.py", region["startLine"], region["startColumn"], result["ruleId"]))
    assert seen == concise("train.py", cwd=tmp_path)
    kl101 = next(result for result in run["results"] if result["ruleId"] == "KL101")
    assert kl101["level"] == "error"
    assert kl101["message"]["text"].startswith("Dense(numclasses, activation='relu') feeds categorical_crossentropy")
    assert kl101["locations"][0]["physicalLocation"]["region"] == {"startLine": 12, "startColumn": 37, "endLine": 12, "endColumn": 54}
    (related,) = kl101["relatedLocations"]
    assert related["physicalLocation"]["region"]["startLine"] == 17
    assert "categorical_crossentropy" in related["message"]["text"]
    assert {result["level"] for result in run["results"]} == {"error", "warning", "note"}


def test_columns_count_code_points_after_non_ascii_text(tmp_path):
    source = SEED.read_text(encoding="utf-8").replace(
        "predictions = Dense(numclasses, activation='relu')(x)",
        "predictions = Dense(numclasses, name='é😀', activation='relu')(x)",
    )
    write(tmp_path, {"train.py": source})
    (run,) = sarif("--select", "KL101", "train.py", cwd=tmp_path)["runs"]
    columns = [result["locations"][0]["physicalLocation"]["region"]["startColumn"] for result in run["results"]]
    assert columns == [column for _, _, column, _ in concise("--select", "KL101", "train.py", cwd=tmp_path)]
    line = source.splitlines()[11]
    assert columns == [line.index("activation='relu'") + 1]  # code points, not UTF-8 bytes or UTF-16 units


def test_uris_are_relative_percent_encoded_and_absolute_outside_the_root(tmp_path):
    inside = tmp_path / "project"
    write(inside, {"src/my model ü.py": SYNTAX_ERROR})
    write(tmp_path, {"outside.py": SYNTAX_ERROR})
    (run,) = sarif(".", "../outside.py", cwd=inside)["runs"]
    locations = [result["locations"][0]["physicalLocation"]["artifactLocation"] for result in run["results"]]
    assert {"uri": "src/my%20model%20%C3%BC.py", "uriBaseId": "%SRCROOT%"} in locations
    assert {"uri": (tmp_path / "outside.py").resolve().as_uri()} in locations


def test_clean_run_and_bad_input_still_validate(tmp_path):
    write(tmp_path, {"clean.py": "x = 1\n", "bad.py": SYNTAX_ERROR, "binary.py": b"\x00\x01\x02"})
    (run,) = sarif("clean.py", cwd=tmp_path, code=0)["runs"]
    assert run["results"] == []
    (run,) = sarif(".", cwd=tmp_path)["runs"]
    assert sorted(result["ruleId"] for result in run["results"]) == ["KL001", "KL002"]


def test_exit_code_and_exit_zero_are_unchanged(tmp_path):
    shutil.copy(SEED, tmp_path / "train.py")
    assert kerlint("check", "--output-format", "sarif", "train.py", cwd=tmp_path).code == 1
    assert kerlint("check", "--output-format", "sarif", "--exit-zero", "train.py", cwd=tmp_path).code == 0


def _fingerprints(run: dict) -> list[tuple[str, str, int]]:
    return [
        (result["ruleId"], result["partialFingerprints"]["kerlint/v1"], result["locations"][0]["physicalLocation"]["region"]["startLine"])
        for result in run["results"]
    ]


def test_fingerprints_survive_unrelated_lines_inserted_above(tmp_path):
    source = SEED.read_text(encoding="utf-8")
    write(tmp_path, {"train.py": source})
    (before,) = sarif("train.py", cwd=tmp_path)["runs"]
    write(tmp_path, {"train.py": "import os\n\n# a comment that moves everything down\nSEED = 1\n" + source})
    (after,) = sarif("train.py", cwd=tmp_path)["runs"]
    old, new = _fingerprints(before), _fingerprints(after)
    assert [(rule, fingerprint) for rule, fingerprint, _ in old] == [(rule, fingerprint) for rule, fingerprint, _ in new]
    assert [line + 4 for *_, line in old] == [line for *_, line in new]
    assert len({fingerprint for _, fingerprint, _ in old}) == len(old)


def test_fingerprints_differ_for_identical_lines_and_change_with_the_line(tmp_path):
    line = "opt = SGD(learning_rate=0.5, momentum=0.9)\n"  # effective 5: reported without other context
    write(tmp_path, {"train.py": "from keras.optimizers import SGD\n" + line + line})
    (run,) = sarif("--select", "KL301", "train.py", cwd=tmp_path)["runs"]
    fingerprints = [fingerprint for _, fingerprint, _ in _fingerprints(run)]
    if len(fingerprints) < 2:
        pytest.skip("KL301 does not report both lines")  # the rule, not the reporter, decides
    assert len(set(fingerprints)) == len(fingerprints)

    write(tmp_path, {"train.py": "from keras.optimizers import SGD\n" + line.replace("0.5", "0.7") + line})
    (changed,) = sarif("--select", "KL301", "train.py", cwd=tmp_path)["runs"]
    new = [fingerprint for _, fingerprint, _ in _fingerprints(changed)]
    assert new[0] != fingerprints[0]
