from kerlint.diagnostic import Severity
from kerlint.rule import ENGINE_TAG, Rule


class SyntaxErrorRule(Rule):
    code = "KL001"
    name = "syntax-error"
    tag = ENGINE_TAG
    severity = Severity.ERROR
    summary = "The file does not parse as Python, so nothing in it was checked."
    what_it_does = "Reports the first syntax error in a file, at its line and column. Always on."
    why_bad = (
        "A file that does not parse cannot be analyzed: every other rule is silent on it, so its "
        "training mistakes go unseen. Python would refuse to run it as well."
    )
    fix = "Fix the syntax error; kerlint checks the file again on the next run."
    invalid = ("model.compile(loss='mse'  # expect: KL001\n",)
    valid = ("model.compile(loss='mse')\n",)
