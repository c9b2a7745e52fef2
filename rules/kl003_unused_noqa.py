from kerlint.diagnostic import Severity
from kerlint.rule import ENGINE_TAG, Rule


class UnusedNoqaRule(Rule):
    code = "KL003"
    name = "unused-noqa"
    tag = ENGINE_TAG
    severity = Severity.WARNING
    summary = "A `# noqa: KL...` directive suppresses nothing, or names a code kerlint doesn't have."
    what_it_does = (
        "Reports `# noqa` directives naming kerlint codes (`KL...`) that suppressed no finding on their "
        "line, and codes that are not kerlint rules. Bare `# noqa` and other tools' codes are left alone."
    )
    why_bad = (
        "A stale suppression hides the next real finding on that line, and a mistyped code suppresses "
        "nothing while looking as if it does."
    )
    fix = "Remove the unused codes from the directive, or the whole comment."
    invalid = ("optimizer = 'adam'  # noqa: KL301  # expect: KL003\n",)
    valid = ("optimizer = 'adam'\n",)
