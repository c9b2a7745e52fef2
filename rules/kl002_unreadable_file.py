from kerlint.diagnostic import Severity
from kerlint.rule import ENGINE_TAG, Rule


class UnreadableFileRule(Rule):
    code = "KL002"
    name = "unreadable-file"
    tag = ENGINE_TAG
    severity = Severity.ERROR
    summary = "The file could not be read as Python source (binary, undecodable, or too large)."
    what_it_does = (
        "Reports a file kerlint was asked to check but could not read as text: it is binary, it is not "
        "valid UTF-8 and declares no other encoding, it is UTF-16, or it is larger than `max-file-size`. "
        "Always on."
    )
    why_bad = "Nothing in such a file is checked; the other files still are."
    fix = "Save the file as UTF-8 (or declare its encoding with a `# -*- coding: ... -*-` line), or exclude it."
