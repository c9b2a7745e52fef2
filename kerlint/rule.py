"""What a rule is: metadata, docs, options, examples, a check over facts (whose findings may carry their
fix), and the verdict a training probe gives on its findings. A new rule is one module in `rules/`.

Rules only report. The engine owns selection, suppression, positions and formatting; the LSP and
`kerlint check --fix` apply the fixes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, ClassVar, Iterable, Mapping

from kerlint.diagnostic import Related, Severity, Span
from kerlint.facts import Loss, Model, ModuleFacts

if TYPE_CHECKING:  # loaded where fixes are computed and probes judged, not on every check
    from kerlint.fix import Fix
    from kerlint.probe.verdicts import ProbeEvidence
    from kerlint.verdict import Judgement

FAMILIES = (
    "activation-loss",
    "target-range",
    "optimizer",
    "loss-numerics",
    "input-scaling",
    "training-config",
    "api-compat",
)
# Families whose findings a short training run can confirm: their rules are probed (the generic check,
# unless a rule defines its own `probe`).
PROBED_FAMILIES = frozenset({"activation-loss", "target-range", "optimizer", "loss-numerics", "input-scaling"})
ENGINE_TAG = "kerlint"  # diagnostics the engine itself raises (syntax errors, unreadable files, noqa)

FIXABLE_DOCS = {
    "safe": " · Fix: safe (`kerlint check --fix`)",
    "unsafe": " · Fix: unsafe, it changes the model or the training (`kerlint check --fix --unsafe-fixes`)",
}

DOCS_URL = "https://github.com/kerlint/kerlint/blob/main/docs/rules.md"

# In rule examples, a line that should be reported ends with this marker, e.g. `# expect: KL101`.
EXPECT_MARKER = re.compile(r"\s*# expect: (KL\d+(?:, *KL\d+)*)\s*$")


@dataclass(frozen=True)
class Finding:
    span: Span
    message: str
    fix: str | None = None  # overrides the rule's generic fix text
    related: tuple[Related, ...] = ()
    autofix: Fix | None = None  # the edits that fix it, when the rule can compute them exactly


@dataclass(frozen=True)
class Option:
    default: Any
    help: str

    def coerce(self, value: Any) -> Any:
        """Check a configured value against the default's type; raise ValueError when it doesn't fit."""
        expected = type(self.default)
        if expected is float and isinstance(value, int) and not isinstance(value, bool):
            return float(value)
        if expected is int and isinstance(value, float) and value.is_integer():
            return int(value)
        if not isinstance(value, expected) or (expected is not bool and isinstance(value, bool)):
            raise ValueError(f"expected {expected.__name__}, got {value!r}")
        return value


class Rule:
    code: ClassVar[str]
    name: ClassVar[str]
    tag: ClassVar[str]
    severity: ClassVar[Severity]
    summary: ClassVar[str]
    what_it_does: ClassVar[str]
    why_bad: ClassVar[str]
    fix: ClassVar[str]
    references: ClassVar[tuple[str, ...]] = ()
    options: ClassVar[Mapping[str, Option]] = {}
    # Examples the test suite runs. valid[0] is the corrected form of invalid[0]; together they are
    # the "Example" and "Use instead" sections of the docs.
    valid: ClassVar[tuple[str, ...]] = ()
    invalid: ClassVar[tuple[str, ...]] = ()

    # The applicability ("safe" or "unsafe") of the fix (`Finding.autofix`) this rule's findings may carry;
    # None when it offers none. Shown in the docs; tests hold each rule to it.
    fixable: ClassVar[str | None] = None
    # Whether `kerlint check --probe` judges this rule's findings: None = as its family does (PROBED_FAMILIES).
    probed: ClassVar[bool | None] = None
    # Whether the probe estimates the edge-of-stability margin for this rule's findings without being asked.
    probe_sharpness: ClassVar[bool] = False

    def check(self, facts: ModuleFacts, options: Mapping[str, Any]) -> Iterable[Finding]:
        return ()

    def probe(self, evidence: ProbeEvidence) -> Judgement:
        """The verdict on one of this rule's findings from what the probe measured on its model, e.g.
        `evidence.confirmed(f"loss NaN at step {step}")`. The default: NaN/Inf or a gradient blow-up
        confirms (ProbeEvidence, kerlint/probe/verdicts.py, has the questions the checks share)."""
        return evidence.generic()

    @classmethod
    def probe_check(cls) -> Callable[[ProbeEvidence], Judgement] | None:
        """The rule's probe check, or None when a training run can't speak to its findings."""
        probed = cls.tag in PROBED_FAMILIES if cls.probed is None else cls.probed
        return cls().probe if probed else None

    @classmethod
    def anchor(cls) -> str:
        """The rule's heading anchor in docs/rules.md."""
        return f"{cls.code.lower()}-{cls.name}"

    @classmethod
    def url(cls) -> str:
        return f"{DOCS_URL}#{cls.anchor()}"

    @classmethod
    def default_options(cls) -> dict[str, Any]:
        return {key: option.default for key, option in cls.options.items()}

    @classmethod
    def docs(cls) -> str:
        """The rule's documentation in Ruff's sections, as Markdown."""
        parts = [
            f"# {cls.name} ({cls.code})",
            f"Family: `{cls.tag}` · Severity: {cls.severity.label}{FIXABLE_DOCS.get(cls.fixable, '')}",
            "## What it does",
            cls.what_it_does.strip(),
            "## Why is this bad?",
            cls.why_bad.strip(),
        ]
        if cls.invalid:
            parts += ["## Example", f"```python\n{strip_markers(cls.invalid[0]).strip()}\n```"]
        if cls.valid:
            parts += ["## Use instead", f"```python\n{cls.valid[0].strip()}\n```"]
        parts += ["## Fix", cls.fix.strip()]
        if cls.options:
            rows = "\n".join(
                f"- `{key}` (default `{option.default!r}`): {option.help}" for key, option in cls.options.items()
            )
            parts += ["## Options", f"Set under `[tool.kerlint.rules.{cls.code}]`:\n{rows}"]
        if cls.references:
            parts += ["## References", "\n".join(f"- {ref}" for ref in cls.references)]
        return "\n\n".join(parts) + "\n"


def __getattr__(name: str):
    """Edit, Fix, Applicability and Judgement, importable from here, loaded on first use."""
    if name in ("Edit", "Fix", "Applicability"):
        from kerlint import fix

        return getattr(fix, name)
    if name == "Judgement":
        from kerlint.verdict import Judgement

        return Judgement
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def head_or_loss(model: Model, head: Span, loss: Loss, head_note: str, loss_note: str) -> tuple[Span, tuple[Related, ...]]:
    """Where a finding that pairs a model's output with a compiled loss goes, and the other end it points to.

    At the output, pointing to the loss, when the model is compiled once. A model compiled several times
    (a fine-tuning script, a recompile with another loss) is checked once per compile(): each finding
    goes to the loss of the compile() it is about and points to the output, so the same mismatch in two
    compiles is two findings, one on each compile's line."""
    if len(model.compiles) > 1:
        return loss.span, (Related(head, head_note),)
    return head, (Related(loss.span, loss_note),)


def strip_markers(source: str) -> str:
    return "\n".join(EXPECT_MARKER.sub("", line) for line in source.splitlines())


def expected_lines(source: str) -> list[tuple[int, str]]:
    """(line, code) pairs an example's `# expect:` markers ask for."""
    found = []
    for number, line in enumerate(source.splitlines(), start=1):
        match = EXPECT_MARKER.search(line)
        if match:
            found += [(number, code.strip()) for code in match.group(1).split(",")]
    return sorted(found)
