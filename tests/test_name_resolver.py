"""The one name resolver (kerlint/extract/bindings.py) on its own: which binding a read sees, where a
function is called, what its call sites agree a parameter gets, what it returns."""

from __future__ import annotations

from textwrap import dedent

import libcst

from kerlint.extract.bindings import AMBIGUOUS, UNBOUND, NameResolver
from kerlint.extract.collect import ModuleContext


def _resolver(source: str) -> NameResolver:
    return NameResolver(ModuleContext(libcst.parse_module(dedent(source)), "train.py"))


def _function(names: NameResolver, name: str):
    return names.tables.functions[name][0]


def _seen(names: NameResolver, scope, name: str, at, **options):
    found = names.visible(names.bindings_of(scope, name), at, **options)
    return found if found in (UNBOUND, AMBIGUOUS) else names.ctx.text(found.value)


def _same_text(names: NameResolver):
    return lambda first, other: names.ctx.text(first.argument) == names.ctx.text(other.argument)


PROGRAM = """\
def loss(y_true, y_pred):
    eps = 1e-7
    eps = eps * 10
    return y_pred + eps

if wide:
    units = 64
else:
    units = 32
"""


def test_a_read_sees_the_last_binding_that_took_effect_before_it():
    names = _resolver(PROGRAM)
    loss = _function(names, "loss")
    assert _seen(names, loss, "eps", (3, 10)) == "1e-7"  # the right side of `eps = eps * 10`
    assert _seen(names, loss, "eps", (4, 0)) == "eps * 10"
    assert _seen(names, loss, "eps", None) == "eps * 10"  # from an inner scope: its last binding


def test_a_read_before_the_first_binding_is_unbound_unless_asked_for_the_last():
    names = _resolver(PROGRAM)
    loss = _function(names, "loss")
    assert _seen(names, loss, "eps", (1, 0)) is UNBOUND
    assert _seen(names, loss, "eps", (1, 0), before_first="last") == "eps * 10"


def test_a_name_bound_in_both_arms_of_an_if_is_ambiguous_unless_asked_for_the_last_arm():
    names = _resolver(PROGRAM)
    assert _seen(names, None, "units", (20, 0)) is AMBIGUOUS
    assert _seen(names, None, "units", (20, 0), branches=False) == "32"


FACTORIES = """\
def dice(smooth=1.0):
    def loss(y_true, y_pred):
        return smooth
    return loss

def focal(gamma=2.0):
    return gamma

def tversky(alpha=0.5):
    return alpha

class Weighted:
    def __init__(self, weight=1.0):
        self.weight = weight

    def scale(self, x):
        return x

a = dice(smooth=1e-5)
b = focal(3.0)
c = focal(gamma=4.0)
d = tversky(0.3)
e = tversky(0.3)
f = Weighted(2.0)
g = Weighted()
"""


def test_call_sites_by_name_and_a_classes_init_by_the_class_name():
    names = _resolver(FACTORIES)
    assert [names.ctx.text(site.call) for site in names.call_sites(_function(names, "dice"))] == ["dice(smooth=1e-5)"]
    assert len(names.call_sites(_function(names, "__init__"))) == 2
    assert names.call_sites(_function(names, "scale")) == []  # a method: not called by a bare name


def test_the_argument_call_sites_agree_on_else_ambiguous_or_the_default():
    names = _resolver(FACTORIES)

    def agreed(function: str, parameter: str):
        binding = names.bindings_of(_function(names, function), parameter)[0]
        found = names.agreed_argument(binding, _same_text(names))
        return found if found in (None, AMBIGUOUS) else names.ctx.text(found.argument)

    assert agreed("dice", "smooth") == "1e-5"  # one call site
    assert agreed("tversky", "alpha") == "0.3"  # several that pass the same
    assert agreed("focal", "gamma") is AMBIGUOUS  # several that disagree
    assert agreed("__init__", "weight") is AMBIGUOUS  # one passes it, one leaves the default


def test_a_lambda_returns_its_body_and_a_function_its_return_values_in_order():
    names = _resolver("def pick(x):\n    if x:\n        return 1\n    return 2\nf = lambda y: y + 1\n")
    assert [names.ctx.text(value) for _, value in names.returned(_function(names, "pick"))] == ["1", "2"]
    lam = names.tables.bindings[None]["f"][0].value
    assert [names.ctx.text(value) for _, value in names.returned(lam)] == ["y + 1"]


def test_an_enclosing_functions_name_is_read_where_the_inner_function_runs():
    names = _resolver("""\
    def train():
        lr = 0.1
        def step():
            return lr
        step()
        lr = 0.5
        def later():
            return lr
        return later
    """)
    train, step, later = (_function(names, name) for name in ("train", "step", "later"))
    scope, binding = names.lookup(step, "lr", (4, 15))
    assert scope is train and names.ctx.text(binding.value) == "0.1"  # its one call, before `lr = 0.5`
    scope, binding = names.lookup(later, "lr", (8, 15))
    assert names.ctx.text(binding.value) == "0.5"  # never called here: the enclosing function's last binding
    assert names.lookup(step, "undefined", (4, 15)) is None
