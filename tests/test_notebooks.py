"""Notebooks (.ipynb) as input: code cells joined into one program, IPython syntax masked, findings at
`path:cell N:line:col` in every output format.

tests/data/notebooks holds two notebooks in the formats the tools save: `mnist_jupyter.ipynb` as
JupyterLab writes it (nbformat 4.5, cell ids, `indent=1`, sorted keys, outputs with an image, a
markdown attachment, `%pip`, `!nvidia-smi`, `x = !ls`, `%%time`, `%%bash`, `obj?`, a cell with a
syntax error, a `# noqa`) and `binary_colab.ipynb` as Google Colab downloads it (nbformat 4.0,
`metadata.colab`, cell ids in cell metadata, `%tensorflow_version`). Each has a real Keras bug split
across cells: the model is built in one cell and compiled with a loss that does not fit it in another.
"""

from __future__ import annotations

import ast
import json
import shutil
from pathlib import Path

import jsonschema
import pytest
from clirun import kerlint, write

from kerlint.notebook import join_cells, mask_cell, read_notebook

DATA = Path(__file__).parent / "data" / "notebooks"
SARIF_SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-2.1.0.json").read_text(encoding="utf-8"))

MNIST = [
    'mnist.ipynb:cell 5:5:22: KL101 layers.Dense(10, activation="relu") feeds categorical_crossentropy: relu '
    "outputs can all be 0, so the loss divides 0 by their sum 0 -> NaN",
    "mnist.ipynb:cell 8:1:6: KL001 syntax error: '(' was never closed; nothing else in this cell was checked",
    "mnist.ipynb:cell 9:2:32: KL701 keras.optimizers.Adam(lr=1e-3) uses lr=, which Keras 3 rejects: it is now learning_rate=",
]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copy(DATA / "mnist_jupyter.ipynb", tmp_path / "mnist.ipynb")
    shutil.copy(DATA / "binary_colab.ipynb", tmp_path / "colab.ipynb")
    return tmp_path


def notebook(*cells: str, kind: str = "code") -> str:
    """A minimal nbformat 4 notebook with these code cells."""
    return json.dumps({"cells": [{"cell_type": kind, "metadata": {}, "outputs": [], "execution_count": None,
                                  "source": text.splitlines(keepends=True)} for text in cells],
                       "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


# --- masking -------------------------------------------------------------------------------------------


def test_magics_and_shell_lines_are_masked_line_for_line():
    cell = [
        "%pip install -q keras",
        "!nvidia-smi",
        "files = !ls data",
        "timing = %timeit -o f()",
        "model.fit?",
        "??keras.layers.Dense",
        "%load_ext \\",
        "    autoreload",
        "for name in files:",
        "    !echo {name}",
        "x = (a",
        "     % b)",
        'text = """',
        "!not a command, string content",
        '"""',
        "y = 1 if a != b else 2",
        "z %= 3",
    ]
    masked = mask_cell(cell)
    assert masked == [
        "pass", "pass", "files = None", "timing = None", "pass", "pass", "pass", "",
        "for name in files:", "    pass",
        "x = (a", "     % b)", 'text = """', "!not a command, string content", '"""',
        "y = 1 if a != b else 2", "z %= 3",
    ]
    ast.parse("\n".join(masked))


@pytest.mark.parametrize("magic", ["%%bash", "%%writefile train.py", "%%html", "%%script false", "%%javascript"])
def test_a_cell_magic_that_is_not_python_blanks_the_whole_cell(magic):
    assert mask_cell([magic, "for f in *.h5; do", "  echo $f", "done"]) == ["", "", "", ""]


@pytest.mark.parametrize("magic", ["%%time", "%%timeit -n 1", "%%capture out", "%%prun -s cumulative", "%%debug", "%%memit"])
def test_a_python_cell_magic_keeps_its_body(magic):
    assert mask_cell(["", magic, "model.fit(x, y)", "%matplotlib inline"]) == ["", "", "model.fit(x, y)", "pass"]


def test_joined_source_keeps_each_cells_lines_and_maps_back():
    joined = join_cells([(2, "import keras\nmodel = keras.Sequential()\n"), (3, ""), (5, "%%time\nmodel.compile()")])
    assert joined.source == "import keras\nmodel = keras.Sequential()\n\nmodel.compile()\n"
    assert [joined.locate(line) for line in (1, 2, 3, 4)] == [(2, 1), (2, 2), (5, 1), (5, 2)]


def test_only_code_cells_count_as_code_but_every_cell_counts_in_the_numbering():
    data = json.dumps({"cells": [
        {"cell_type": "markdown", "source": "x = (", "metadata": {}},
        {"cell_type": "raw", "source": ["y = ("], "metadata": {}},
        {"cell_type": "code", "source": "z = 1", "metadata": {}, "outputs": []},
    ]}).encode()
    parsed = read_notebook(data)
    assert parsed.source == "z = 1\n" and parsed.locate(1) == (3, 1)


# --- the command line --------------------------------------------------------------------------------


def test_a_folder_of_notebooks_reports_each_finding_at_its_cell(project):
    result = kerlint("check", ".", cwd=project)
    assert result.code == 1
    assert result.lines == [
        "colab.ipynb:cell 5:1:7: KL301 keras.optimizers.SGD(learning_rate=0.5, momentum=0.9) has no clipnorm/clipvalue: "
        "momentum 0.9 makes each step up to ~10x the learning rate (effective 5), and an effective rate of 5 is "
        "extreme on its own, so one large gradient can throw the weights off — the loss jumps to a plateau or NaN",
        'colab.ipynb:cell 5:2:52: KL102 layers.Dense(1) has a linear output, but "binary_crossentropy" expects '
        "probabilities (from_logits=False): negative outputs are clipped to 1e-7 with zero gradient, or divided by a "
        "sum near 0 -> NaN",
        *MNIST,
        "Found 5 findings (3 errors, 1 warning, 1 info) in 2 files.",
    ]


def test_full_format_quotes_the_cell_and_points_at_the_related_cell(project):
    result = kerlint("check", "mnist.ipynb", "--output-format", "full", "--select", "KL101", cwd=project)
    block = result.out.split("\n\n")[0].splitlines()
    assert block[:7] == [
        'mnist.ipynb:cell 5:5:22: KL101 [error] layers.Dense(10, activation="relu") feeds categorical_crossentropy: '
        "relu outputs can all be 0, so the loss divides 0 by their sum 0 -> NaN",
        "  |",
        '4 |     layers.Dense(128, activation="relu"),',
        '5 |     layers.Dense(10, activation="relu"),',
        "  |                      ^^^^^^^^^^^^^^^^^ KL101",
        "6 | ])",
        "  |",
    ]
    assert "  = note: mnist.ipynb:cell 6:2:38: loss \"categorical_crossentropy\" set here" in block


def test_json_has_the_cell_and_rows_within_it(project):
    result = kerlint("check", "mnist.ipynb", "--output-format", "json", cwd=project)
    findings = json.loads(result.out)
    kl101 = next(f for f in findings if f["code"] == "KL101")
    assert (kl101["cell"], kl101["location"], kl101["end_location"]) == (5, {"row": 5, "column": 22}, {"row": 5, "column": 39})
    assert kl101["related"] == [{"filename": "mnist.ipynb", "location": {"row": 2, "column": 38},
                                 "message": 'loss "categorical_crossentropy" set here', "cell": 6}]
    assert [(f["code"], f["cell"], f["location"]["row"]) for f in findings] == [("KL101", 5, 5), ("KL001", 8, 1), ("KL701", 9, 2)]


def test_sarif_has_a_cell_relative_region_and_the_cell_in_properties(project):
    result = kerlint("check", "mnist.ipynb", "--output-format", "sarif", cwd=project)
    log = json.loads(result.out)
    jsonschema.Draft4Validator(SARIF_SCHEMA, format_checker=jsonschema.FormatChecker()).validate(log)
    kl101 = next(r for r in log["runs"][0]["results"] if r["ruleId"] == "KL101")
    physical = kl101["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"] == {"uri": "mnist.ipynb", "uriBaseId": "%SRCROOT%"}
    assert physical["region"] == {"startLine": 5, "startColumn": 22, "endLine": 5, "endColumn": 39}
    assert kl101["properties"]["cell"] == 5
    (related,) = kl101["relatedLocations"]
    assert related["properties"] == {"cell": 6} and related["physicalLocation"]["region"]["startLine"] == 2


def test_github_annotations_name_the_cell_and_line(project):
    result = kerlint("check", "colab.ipynb", "--output-format", "github", cwd=project)
    assert result.lines[1] == (
        "::error file=colab.ipynb,title=KL102 linear-output-with-probability-loss::cell 5, line 2, column 52: "
        'layers.Dense(1) has a linear output, but "binary_crossentropy" expects probabilities (from_logits=False): '
        "negative outputs are clipped to 1e-7 with zero gradient, or divided by a sum near 0 -> NaN"
    )


def test_noqa_in_a_cell_refers_to_that_cells_line(tmp_path):
    write(tmp_path, {"nb.ipynb": notebook(
        "import keras",
        "a = keras.optimizers.Adam(lr=0.1)  # noqa: KL701\nb = keras.optimizers.Adam(lr=0.1)  # noqa: KL301",
    )})
    result = kerlint("check", "nb.ipynb", "--select", "KL701,KL301,KL003", cwd=tmp_path)
    assert result.lines[:-1] == [
        "nb.ipynb:cell 2:2:27: KL701 keras.optimizers.Adam(lr=0.1) uses lr=, which Keras 3 rejects: it is now learning_rate=",
        "nb.ipynb:cell 2:2:36: KL003 unused `noqa` directive: no KL301 finding on this line",
    ]


def test_a_file_level_noqa_in_any_cell_applies_to_the_whole_notebook(tmp_path):
    write(tmp_path, {"nb.ipynb": notebook("import keras\na = keras.optimizers.Adam(lr=1e-3)", "# kerlint: noqa: KL701",
                                          "b = keras.optimizers.Adam(lr=1e-3)")})
    assert kerlint("check", "nb.ipynb", cwd=tmp_path).lines == ["All checks passed! (1 file)"]


def test_malformed_notebooks_are_one_clear_finding_each(tmp_path):
    good = notebook("import keras")
    write(tmp_path, {
        "truncated.ipynb": good[:40],
        "not_a_notebook.ipynb": "[1, 2, 3]",
        "merge_conflict.ipynb": good.replace('"cells"', '<<<<<<< HEAD\n"cells"', 1),
        "fine.ipynb": good,
    })
    result = kerlint("check", ".", cwd=tmp_path)
    assert result.code == 1
    assert result.lines == [
        "merge_conflict.ipynb:1:2: KL002 not valid JSON: Expecting property name enclosed in double quotes: not checked",
        "not_a_notebook.ipynb:1:1: KL002 not a Jupyter notebook: the JSON has no `cells` list (only nbformat 4 is "
        "supported): not checked",
        "truncated.ipynb:1:34: KL002 not valid JSON: Unterminated string starting at: not checked",
        "Found 3 findings (3 errors) in 3 of 4 files.",
    ]


def test_a_notebook_in_another_language_is_not_judged_as_python(tmp_path):
    data = json.loads(notebook("x <- c(1, 2)\nprint(x)"))
    data["metadata"] = {"kernelspec": {"name": "ir", "language": "R"}, "language_info": {"name": "R"}}
    write(tmp_path, {"analysis.ipynb": json.dumps(data)})
    assert kerlint("check", ".", cwd=tmp_path).lines == ["All checks passed! (1 file)"]


def test_discovery_includes_notebooks_skips_checkpoints_and_honours_extend_include(tmp_path):
    broken = notebook("x = (")
    write(tmp_path, {
        "nb.ipynb": broken,
        ".ipynb_checkpoints/nb-checkpoint.ipynb": broken,
        "scripts/train.pyw": "x = (\n",
        "notes.txt": "x = (\n",
    })
    reported = lambda result: sorted({line.split(":")[0] for line in result.lines[:-1]})  # noqa: E731
    assert reported(kerlint("check", ".", cwd=tmp_path)) == ["nb.ipynb"]
    write(tmp_path, {"pyproject.toml": '[tool.kerlint]\nextend-include = ["*.pyw"]\n'})
    assert reported(kerlint("check", ".", cwd=tmp_path)) == ["nb.ipynb", "scripts/train.pyw"]
    write(tmp_path, {"pyproject.toml": '[tool.kerlint]\nextend-exclude = ["*.ipynb"]\n'})
    assert reported(kerlint("check", ".", cwd=tmp_path)) == []


def test_stdin_with_a_notebook_name_is_read_as_a_notebook(tmp_path):
    result = kerlint("check", "-", "--stdin-filename", "nb.ipynb", cwd=tmp_path, stdin=notebook("import keras", "x = (").encode())
    assert result.lines[0] == "nb.ipynb:cell 2:1:5: KL001 syntax error: '(' was never closed; nothing else in this cell was checked"


def test_a_big_notebook_is_checked_by_the_size_of_its_code_not_of_its_outputs(tmp_path):
    data = json.loads(notebook("x = (", "y = 1"))
    data["cells"][1]["outputs"] = [{"output_type": "display_data", "metadata": {},
                                    "data": {"image/png": "A" * 3_000_000}}]  # a 3 MB plot
    write(tmp_path, {"nb.ipynb": json.dumps(data), "pyproject.toml": "[tool.kerlint]\nmax-file-size = 1000000\n"})
    assert kerlint("check", ".", cwd=tmp_path).lines[0].startswith("nb.ipynb:cell 1:1:5: KL001 syntax error")
