"""Inspector records (kerlint.probe.records) -> `kerlint.facts` objects, and the static rules run over them.

Pure Python (no framework): the child calls it to decide which models carry a risk, and the same
rules that read the source read the built model. Spans are the user-file lines the child recorded
(layer, optimizer, compile and fit calls); an unknown line falls back to the model's.
"""

from __future__ import annotations

from kerlint.diagnostic import Span
from kerlint.facts import Activation, Compile, DataRange, Loss, Model, ModuleFacts, Optimizer, Output, TrainingRun
from kerlint.probe.records import FindingEntry, ModelEntry, ValueRange
from kerlint.registry import all_rules
from kerlint.rule import Finding


def _span(*lines: int | None) -> Span:
    return Span.point(next((line for line in lines if line), 1))


def _range(text: str, measured: ValueRange | None, line: int | None) -> DataRange | None:
    if not measured:
        return None
    return DataRange(text=text, span=_span(line), low=measured.min, high=measured.max)


def model_facts(entry: ModelEntry, path: str) -> Model:
    line = entry.compile_line or entry.line
    compile_span = _span(entry.compile_line, entry.line)
    outputs = None
    if entry.outputs is not None:
        outputs = [Output(Activation(o.activation, _span(o.line, line), o.layer, o.units), _span(o.line, line)) for o in entry.outputs]
    optimizer = None
    if entry.optimizer:
        o = entry.optimizer
        optimizer = Optimizer(o.name, o.text, _span(o.line, line), dict(o.params), frozenset(o.given))
    losses = [Loss(l.name, l.text, compile_span, l.from_logits, l.function) for l in entry.losses]
    model = Model(text=f"{entry.class_name} (built)", span=_span(entry.line, line), outputs=outputs,
                  scales_inputs=entry.scales_inputs, compiles=[Compile(compile_span, losses, optimizer)])
    for run in entry.runs:
        model.runs.append(TrainingRun(
            method=run.method, span=_span(run.line, line), epochs=run.epochs, steps_per_epoch=run.steps_per_epoch,
            inputs=_range("fed to training (measured)", entry.inputs, run.line),
            targets=_range("fed to training (measured)", entry.targets, run.line),
        ))
    return model


def facts_for(entries: list[ModelEntry], path: str) -> ModuleFacts:
    facts = ModuleFacts(path=path)
    for entry in entries:
        model = model_facts(entry, path)
        facts.models.append(model)
        if model.compile and model.compile.optimizer:
            facts.optimizers.append(model.compile.optimizer)
    return facts


def run_rules(facts: ModuleFacts) -> list[tuple[str, Finding]]:
    found = []
    for rule in all_rules():
        try:
            found += [(rule.code, finding) for finding in rule().check(facts, rule.default_options())]
        except Exception:  # noqa: BLE001 - a rule that can't read built facts stays silent here
            continue
    return found


def finding_json(code: str, finding: Finding) -> dict:
    related = tuple((r.span.line, r.message) for r in finding.related)
    return FindingEntry(code, finding.span.line, finding.span.col, finding.message, finding.fix, related).to_json()
