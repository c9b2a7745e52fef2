"""Inspector JSON -> `kerlint.facts` objects, and the static rules run over them.

Pure Python (no framework): the child calls it to decide which models carry a risk, and the same
rules that read the source read the built model. Spans are the user-file lines the child recorded
(layer, optimizer, compile and fit calls); an unknown line falls back to the model's.
"""

from __future__ import annotations

from kerlint.diagnostic import Span
from kerlint.facts import Activation, Compile, DataRange, Loss, Model, ModuleFacts, Optimizer, Output, TrainingRun
from kerlint.registry import all_rules
from kerlint.rule import Finding


def _span(*lines: int | None) -> Span:
    return Span.point(next((line for line in lines if line), 1))


def _range(text: str, measured: dict | None, line: int | None) -> DataRange | None:
    if not measured:
        return None
    return DataRange(text=text, span=_span(line), low=measured["min"], high=measured["max"])


def model_facts(entry: dict, path: str) -> Model:
    line = entry.get("compile_line") or entry.get("line")
    compile_span = _span(entry.get("compile_line"), entry.get("line"))
    outputs = None
    if entry.get("outputs") is not None:
        outputs = [
            Output(Activation(o["activation"], _span(o.get("line"), line), o["layer"], o.get("units")), _span(o.get("line"), line))
            for o in entry["outputs"]
        ]
    optimizer = None
    if entry.get("optimizer"):
        o = entry["optimizer"]
        optimizer = Optimizer(o["name"], o["text"], _span(o.get("line"), line), dict(o["params"]), frozenset(o["given"]))
    losses = [Loss(l["name"], l["text"], compile_span, l.get("from_logits"), l.get("function")) for l in entry.get("losses", [])]
    model = Model(text=f"{entry['class']} (built)", span=_span(entry.get("line"), line), outputs=outputs,
                  scales_inputs=entry.get("scales_inputs"), compile=Compile(compile_span, losses, optimizer))
    for run in entry.get("runs", []):
        data = entry.get("data") or {}
        model.runs.append(TrainingRun(
            method=run["method"], span=_span(run.get("line"), line), epochs=run.get("epochs"),
            steps_per_epoch=run.get("steps_per_epoch"),
            inputs=_range("fed to training (measured)", data.get("inputs"), run.get("line")),
            targets=_range("fed to training (measured)", data.get("targets"), run.get("line")),
        ))
    return model


def facts_for(entries: list[dict], path: str) -> ModuleFacts:
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
    return {
        "code": code, "line": finding.span.line, "col": finding.span.col, "message": finding.message, "fix": finding.fix,
        "related": [{"line": r.span.line, "message": r.message} for r in finding.related],
    }
