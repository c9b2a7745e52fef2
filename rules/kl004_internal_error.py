from kerlint.diagnostic import Severity
from kerlint.rule import ENGINE_TAG, Rule


class InternalErrorRule(Rule):
    code = "KL004"
    name = "internal-error"
    tag = ENGINE_TAG
    severity = Severity.ERROR
    summary = "kerlint itself failed while analyzing this file; the other files were still checked."
    what_it_does = "Reports a failure inside kerlint (a rule that raised, code nested too deeply) for one file."
    why_bad = "Part of the file went unchecked. This is kerlint's bug, not yours."
    fix = "Please report it with the file (or a reduced version); exclude the file meanwhile if needed."
