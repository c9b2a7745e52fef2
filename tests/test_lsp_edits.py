"""The language server's pure parts: position encodings, and the edits its code actions offer."""

from __future__ import annotations

import pytest

pytest.importorskip("lsprotocol")

from kerlint.engine import LintSettings, lint_source  # noqa: E402
from kerlint.lsp.edits import fix_edit, lines_ending_in_tokens, noqa_edit  # noqa: E402
from kerlint.lsp.positions import from_position, split_lines, to_position, units  # noqa: E402
from kerlint.lsp.probe_on_save import merge  # noqa: E402


def apply(source: str, edit) -> str:
    span, text = edit
    lines = split_lines(source)
    assert span.line == span.end_line
    line = lines[span.line - 1]
    lines[span.line - 1] = line[: span.col] + text + line[span.end_col :]
    return "\n".join(lines)


def findings(source: str, code: str):
    return [d for d in lint_source(source, "t.py", LintSettings.all_rules()) if d.code == code]


def test_units_count_code_units_of_each_encoding():
    assert units('x = "日本😀"', "utf-16") == 10  # 9 code points; the emoji is a surrogate pair
    assert units('x = "日本😀"', "utf-8") == 5 + 3 + 3 + 4 + 1
    assert units('x = "日本😀"', "utf-32") == 9


def test_positions_round_trip_and_clamp():
    lines = split_lines('a = "😀"; b = 1\r\nsecond\rthird')
    assert lines == ['a = "😀"; b = 1', "second", "third"]
    position = to_position(lines, 1, 9, "utf-16")  # the `b`
    assert (position.line, position.character) == (0, 10)
    assert from_position(lines, position, "utf-16") == (1, 9)
    assert to_position(lines, 99, 99, "utf-16").line == 2  # past the end: the last line
    assert to_position(lines, 3, 99, "utf-16").character == 5


SEED = (
    "from keras.layers import Dense\n"
    "from keras.models import Sequential\n"
    "model = Sequential([Dense(2, activation='relu')])\n"
    "model.compile(loss='categorical_crossentropy', optimizer='adam')\n"
)


def test_noqa_appends_a_comment_and_the_finding_goes_away():
    (finding,) = findings(SEED, "KL101")
    edit = noqa_edit(SEED, split_lines(SEED), finding, lines_ending_in_tokens(SEED))
    fixed = apply(SEED, edit)
    assert fixed.splitlines()[2] == "model = Sequential([Dense(2, activation='relu')])  # noqa: KL101"
    assert findings(fixed, "KL101") == []
    assert findings(fixed, "KL003") == []


def test_noqa_extends_an_existing_code_list():
    source = SEED.replace("'relu')])\n", "'relu')])  # noqa: KL999 keep this\n")
    (finding,) = findings(source, "KL101")
    fixed = apply(source, noqa_edit(source, split_lines(source), finding, lines_ending_in_tokens(source)))
    assert fixed.splitlines()[2].endswith("  # noqa: KL999, KL101 keep this")
    assert findings(fixed, "KL101") == []


def test_no_noqa_where_a_comment_would_change_the_program():
    source = (
        "from keras.optimizers import Adam\n"
        'x = """\n'
        '""" ; y = Adam(lr=1e-3)\n'
        "z = Adam(lr=1e-3) + \\\n"
        "   1\n"
    )
    lines = split_lines(source)
    unsafe = lines_ending_in_tokens(source)
    first, second = findings(source, "KL701")
    assert noqa_edit(source, lines, first, unsafe) is not None  # the string ends before the finding's line does
    assert noqa_edit(source, lines, second, unsafe) is None  # a backslash continuation
    syntax = lint_source("x = (\n", "t.py", LintSettings.all_rules())
    assert [d.code for d in syntax] == ["KL001"]
    assert noqa_edit("x = (\n", ["x = (", ""], syntax[0], lines_ending_in_tokens("x = (\n")) is None


def test_lr_rename_is_offered_only_when_exact():
    source = (
        "from keras.optimizers import Adam\n"
        "a = Adam(lr=1e-3)\n"
        "b = Adam(lr=1e-3, learning_rate=1e-3)\n"
    )
    plain, duplicate = findings(source, "KL701")
    lines = split_lines(source)
    assert apply(source, fix_edit(source, lines, plain)).splitlines()[1] == "a = Adam(learning_rate=1e-3)"
    assert fix_edit(source, lines, duplicate) is None  # would pass learning_rate twice


def test_fit_generator_becomes_fit_only_with_matching_arguments():
    source = (
        "model.fit_generator(gen, steps_per_epoch=10, epochs=2)\n"
        "model.fit_generator(gen, 10, 2)\n"
        "model.fit_generator(gen, workers=4)\n"
    )
    exact, positional, workers = findings(source, "KL703")
    lines = split_lines(source)
    assert apply(source, fix_edit(source, lines, exact)).splitlines()[0] == "model.fit(gen, steps_per_epoch=10, epochs=2)"
    assert fix_edit(source, lines, positional) is None  # fit's second positional is y, not steps_per_epoch
    assert fix_edit(source, lines, workers) is None  # fit() has no workers=


def test_probe_verdicts_attach_to_the_static_finding():
    (finding,) = findings(SEED, "KL101")
    record = {"code": "KL101", "severity": "error", "message": "m", "location": {"row": 3, "column": finding.span.col + 1},
              "probe": {"verdict": "confirmed", "evidence": "loss NaN at step 3"}}
    extra = {"code": "KL999", "severity": "warning", "message": "probe only", "location": {"row": 1, "column": 1}}
    merged = merge([finding], [record, extra], "t.py")
    assert [d.code for d in merged] == ["KL999", "KL101"]
    assert merged[1].extra["probe"]["verdict"] == "confirmed"
    assert merged[1].message == finding.message


def test_nb_epoch_becomes_epochs_unless_epochs_is_there():
    source = "model.fit(x, y, nb_epoch=3)\nmodel.fit(x, y, nb_epoch=3, epochs=3)\n"
    exact, duplicate = findings(source, "KL702")
    lines = split_lines(source)
    assert apply(source, fix_edit(source, lines, exact)).splitlines()[0] == "model.fit(x, y, epochs=3)"
    assert fix_edit(source, lines, duplicate) is None
