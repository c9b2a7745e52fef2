"""Value ranges of the arrays fed to training, statically: an interval analysis over NumPy constructors,
arithmetic on them, label transforms and loaders whose ranges are known.

`RangeEvaluator.of(value)` answers a `Range` (bounds, whole numbers or not, one-hot, class count, where
integer labels were scaled or shifted) or None when nothing is known. Unknown stays unknown: a rule
that needs a bound it doesn't have stays silent.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import libcst as cst

from kerlint.extract import keras_api as api
from kerlint.extract.values import Attr, BinOp, Call, Const, Evaluator, Item, Seq, Value, number

MAX_DEPTH = 30
NORMAL_SPREAD = 3.0  # a normal sample lies within mean +- 3 std (99.7%): enough to say it leaves [0, 1]
PASSTHROUGH_METHODS = ("astype", "reshape", "copy", "squeeze", "flatten", "ravel", "to_numpy", "numpy", "cache",
                       "prefetch", "shuffle", "batch", "repeat", "unbatch", "take", "skip", "transpose")
PASSTHROUGH_FUNCTIONS = ("numpy.expand_dims", "numpy.reshape", "numpy.array", "numpy.asarray", "numpy.float32",
                         "numpy.squeeze", "tensorflow.convert_to_tensor", "tensorflow.cast", "keras.ops.cast",
                         "keras.ops.convert_to_tensor", "tensorflow.constant", "numpy.ravel", "numpy.transpose",
                         "numpy.asfarray", "numpy.copy", "tensorflow.reshape")
DATASET_ROWS = {"mnist": 60000, "fashion_mnist": 60000, "cifar10": 50000, "cifar100": 50000, "imdb": 25000,
                "reuters": 8982, "boston_housing": 404, "california_housing": 16512}
REGRESSION_DATASETS = ("boston_housing", "california_housing")
SIZE_POSITION = {"random.randint": 2, "random.uniform": 2, "random.normal": 2, "random.choice": 1, "random.binomial": 2,
                 "random.random": 0, "random.random_sample": 0, "random.sample": 0, "random.ranf": 0,
                 "random.standard_normal": 0}


@dataclass(frozen=True)
class Range:
    low: float
    high: float
    integer: bool = False
    one_hot: bool = False
    classes: int | None = None
    labels: bool = False  # class indices
    raw_pixels: bool = False
    relabelled: cst.CSTNode | None = None  # where integer labels stopped being class indices
    rows: int | None = None


class RangeEvaluator:
    def __init__(self, ev: Evaluator) -> None:
        self.ev = ev

    def of(self, value: Value | None, depth: int = 0) -> Range | None:
        if depth > MAX_DEPTH:
            return None
        value = self.ev.unwrap(value)
        if isinstance(value, Const):
            n = number(value)
            return Range(n, n, float(n).is_integer()) if n is not None else None
        if isinstance(value, Item):
            dataset = self._dataset(value) or self._generated(value)
            if dataset is not None:
                return dataset
            split = split_source(value, self.ev)
            if split is not None:
                return self.of(split, depth + 1)
            if value.path and value.path[-1] == "[]":  # x[:, 0], y[idx]: a part of the same values
                return self.of(value.base, depth + 1)
            return None
        if isinstance(value, Attr) and value.name in ("values", "T"):
            return self.of(value.base, depth + 1)
        if isinstance(value, BinOp):
            try:
                found = self._binop(value, depth)
            except (OverflowError, ValueError, ZeroDivisionError):
                return None
            return None if found is None or math.isnan(found.low) or math.isnan(found.high) else found
        if isinstance(value, Call):
            return self._call(value, depth)
        return None

    # --- arithmetic ------------------------------------------------------------------------------
    def _binop(self, value: BinOp, depth: int) -> Range | None:
        left, right = self.of(value.left, depth + 1), self.of(value.right, depth + 1)
        if left is None or right is None:
            return None
        op = value.operator
        if op in ("+", "-", "*"):
            if op == "+":
                low, high = left.low + right.low, left.high + right.high
            elif op == "-":
                low, high = left.low - right.high, left.high - right.low
            else:
                products = [a * b for a in (left.low, left.high) for b in (right.low, right.high)]
                low, high = min(products), max(products)
            integer = left.integer and right.integer
        elif op in ("/", "//"):
            if right.low <= 0 <= right.high:
                return None
            quotients = [a / b for a in (left.low, left.high) for b in (right.low, right.high)]
            low, high = min(quotients), max(quotients)
            integer = op == "//" or (right.low == right.high == 1 and left.integer)
            if op == "//":
                low, high = math.floor(low), math.floor(high)
        elif op == "**" and right.low == right.high:
            power = right.low
            if left.low < 0 and not float(power).is_integer():
                return None
            try:
                ends = [left.low ** power, left.high ** power]
            except (OverflowError, ZeroDivisionError):
                return None
            low, high = min(ends), max(ends)
            if float(power).is_integer() and power % 2 == 0 and left.low < 0 < left.high:
                low = 0.0
            integer = left.integer and float(power).is_integer() and power >= 0
        elif op == "%" and right.low == right.high and right.low > 0:
            low, high, integer = 0.0, right.low, left.integer and right.integer
        else:
            return None
        labels = left.labels or right.labels
        relabelled = left.relabelled or right.relabelled
        if labels and relabelled is None and (not integer or low < 0):
            relabelled = value.node
        rows = left.rows or right.rows
        return Range(low, high, integer, labels=labels and integer and low >= 0, relabelled=relabelled, rows=rows,
                     classes=left.classes if labels and integer and low == left.low and high == left.high else None,
                     raw_pixels=False)

    # --- calls -----------------------------------------------------------------------------------
    def _call(self, call: Call, depth: int) -> Range | None:
        callee = call.callee or ""
        ev = self.ev
        if call.method in PASSTHROUGH_METHODS and call.receiver is not None:
            return self.of(call.receiver, depth + 1)
        if callee in PASSTHROUGH_FUNCTIONS:
            return self.of(call.arg(None, 0, ev), depth + 1)
        if callee == "keras.utils.to_categorical":
            classes = _int(ev.unwrap(call.arg("num_classes", 1, ev)))
            labels = self.of(call.arg("y", 0, ev), depth + 1)
            if classes is None and labels is not None and labels.integer and labels.low >= 0:
                classes = int(labels.high) + 1
            return Range(0.0, 1.0, True, one_hot=True, classes=classes, rows=labels.rows if labels else None)
        if callee.startswith("numpy."):
            return self._numpy(call, callee.removeprefix("numpy."), depth)
        scaler = self._scaler(call)
        if scaler is not None:
            return scaler
        if callee == "keras.utils.normalize":
            return Range(-1.0, 1.0)
        if callee == "pandas.get_dummies":
            return Range(0.0, 1.0, True, one_hot=True)
        return None

    def _numpy(self, call: Call, name: str, depth: int) -> Range | None:
        ev = self.ev

        def arg(keyword: str | None, index: int | None) -> float | None:
            return number(ev.unwrap(call.arg(keyword, index, ev)))

        def inner(index: int = 0) -> Range | None:
            return self.of(call.arg(None, index, ev), depth + 1)

        rows = self._rows(call, name)
        if name == "linspace":
            start, stop = arg("start", 0), arg("stop", 1)
            if start is None or stop is None:
                return None
            return Range(min(start, stop), max(start, stop), rows=_int_number(arg("num", 2)) or 50)
        if name == "arange":
            numbers = [number(ev.unwrap(ev.eval(a.value, call.env))) for a in call.positional()]
            if not numbers or any(n is None for n in numbers):
                return None
            start, stop = (0, numbers[0]) if len(numbers) == 1 else (numbers[0], numbers[1])
            step = numbers[2] if len(numbers) > 2 else 1
            if step == 0 or (stop - start) / step <= 0:
                return None
            count = math.ceil((stop - start) / step)
            last = start + (count - 1) * step
            return Range(min(start, last), max(start, last), all(float(n).is_integer() for n in numbers), rows=count)
        if name in ("random.rand", "random.random", "random.random_sample", "random.sample", "random.ranf"):
            return Range(0.0, 1.0, rows=rows)
        if name == "random.uniform":
            low, high = arg("low", 0), arg("high", 1)
            return Range(0.0 if low is None else low, 1.0 if high is None else high, rows=rows)
        if name in ("random.randn", "random.standard_normal", "random.normal"):
            loc = arg("loc", 0) if name == "random.normal" else 0.0
            scale = arg("scale", 1) if name == "random.normal" else 1.0
            loc = 0.0 if loc is None else loc
            scale = 1.0 if scale is None else scale
            return Range(loc - NORMAL_SPREAD * scale, loc + NORMAL_SPREAD * scale, rows=rows)
        if name == "random.randint":
            low, high = arg("low", 0), arg("high", 1)
            if low is None:
                return None
            if high is None:
                low, high = 0, low
            return Range(low, high - 1, True, classes=int(high) if low == 0 else None, labels=low == 0, rows=rows)
        if name == "random.choice":
            pool = ev.unwrap(call.arg("a", 0, ev))
            if number(pool) is not None:
                return Range(0, number(pool) - 1, True, rows=rows)
            if isinstance(pool, Seq):
                values = [number(ev.unwrap(item)) for item in pool.items]
                if values and all(v is not None for v in values):
                    return Range(min(values), max(values), all(float(v).is_integer() for v in values), rows=rows)
            return None
        if name == "random.binomial":
            n = arg("n", 0)
            return Range(0, n, True, rows=rows) if n is not None else None
        if name in ("zeros", "ones", "zeros_like", "ones_like", "empty_like"):
            value = 0.0 if name.startswith("zeros") else 1.0
            return Range(value, value, True, rows=rows) if not name.startswith("empty") else None
        if name == "full":
            fill = arg("fill_value", 1)
            return Range(fill, fill, float(fill).is_integer(), rows=rows) if fill is not None else None
        if name in ("sin", "cos"):
            return Range(-1.0, 1.0, rows=(inner() or Range(0, 0)).rows)
        if name in ("tanh",):
            return Range(-1.0, 1.0, rows=(inner() or Range(0, 0)).rows)
        if name in ("exp", "log", "sqrt", "abs", "square", "log1p", "floor", "round", "ceil", "rint"):
            return self._monotone(name, inner())
        if name == "clip":
            low, high = arg("a_min", 1), arg("a_max", 2)
            source = inner()
            if low is None or high is None:
                return None
            return Range(low, high, source.integer if source else False, rows=source.rows if source else None)
        if name == "argmax":
            source = inner()
            return Range(0, math.inf, True, labels=True, rows=source.rows if source else None)
        if name == "where" and len(call.positional()) == 3:
            branches = [self.of(call.arg(None, index, ev), depth + 1) for index in (1, 2)]
            if any(b is None for b in branches):
                return None
            condition = inner()
            return Range(min(b.low for b in branches), max(b.high for b in branches), all(b.integer for b in branches),
                         rows=condition.rows if condition else None)
        if name == "eye":
            n = _int_number(arg("N", 0))
            return Range(0.0, 1.0, True, one_hot=True, classes=n)
        if name in ("concatenate", "vstack", "hstack", "stack"):
            parts = ev.unwrap(call.arg(None, 0, ev))
            if isinstance(parts, Seq) and parts.items:
                ranges = [self.of(item, depth + 1) for item in parts.items]
                if all(r is not None for r in ranges):
                    return Range(min(r.low for r in ranges), max(r.high for r in ranges), all(r.integer for r in ranges))
            return None
        return None

    def _monotone(self, name: str, source: Range | None) -> Range | None:
        if source is None:
            return None
        low, high = source.low, source.high
        try:
            if name == "exp":
                low, high = math.exp(min(low, 700)), math.exp(min(high, 700))
            elif name in ("log", "log1p", "sqrt"):
                shift = 1.0 if name == "log1p" else 0.0
                if low + shift <= 0 and name != "sqrt" or low < 0:
                    return None
                fn = math.sqrt if name == "sqrt" else math.log
                low, high = fn(low + shift) if low + shift > 0 else -math.inf, fn(high + shift)
            elif name in ("abs", "square"):
                ends = [abs(low), abs(high)]
                low = 0.0 if low <= 0 <= high else min(ends)
                high = max(ends)
                if name == "square":
                    low, high = low * low, high * high
            else:
                return Range(math.floor(low), math.ceil(high), True, rows=source.rows)
        except (OverflowError, ValueError):
            return None
        return Range(low, high, source.integer and name in ("abs", "square"), rows=source.rows)

    def _rows(self, call: Call, name: str) -> int | None:
        """The first dimension of a NumPy constructor's result, where written."""
        ev = self.ev
        if name in ("random.rand", "random.randn"):
            first = call.positional()
            return _int_number(number(ev.unwrap(ev.eval(first[0].value, call.env)))) if first else None
        keyword, index = ("shape", 0) if name in ("zeros", "ones", "full", "empty") else ("size", SIZE_POSITION.get(name))
        shape = ev.unwrap(call.arg(keyword, index, ev))
        if isinstance(shape, Seq) and shape.items:
            return _int_number(number(ev.unwrap(shape.items[0])))
        return _int_number(number(shape))

    def _scaler(self, call: Call) -> Range | None:
        if call.method not in ("fit_transform", "transform"):
            return None
        owner = self.ev.unwrap(call.receiver)
        if not isinstance(owner, Call):
            return None
        if owner.callee == "sklearn.preprocessing.MinMaxScaler":
            bounds = self.ev.unwrap(owner.arg("feature_range", 0, self.ev))
            if isinstance(bounds, Seq) and len(bounds.items) == 2:
                low, high = (number(self.ev.unwrap(item)) for item in bounds.items)
                return Range(low, high) if low is not None and high is not None else None
            return Range(0.0, 1.0)
        if owner.callee == "sklearn.preprocessing.LabelEncoder":
            return Range(0, math.inf, True, labels=True)
        return None

    # --- loaders ---------------------------------------------------------------------------------
    def _generated(self, item: Item) -> Range | None:
        """`X, y = make_classification(...)` / `make_blobs(...)`: y holds the class labels."""
        base = self.ev.unwrap(item.base)
        if not isinstance(base, Call) or item.path != (1,):
            return None
        if base.callee == "sklearn.datasets.make_classification":
            classes = _int(self.ev.unwrap(base.arg("n_classes", None, self.ev))) or 2
        elif base.callee == "sklearn.datasets.make_blobs":
            centers = self.ev.unwrap(base.arg("centers", 2, self.ev))
            classes = len(centers.items) if isinstance(centers, Seq) else (_int(centers) or 3)
        else:
            return None
        rows = _int(self.ev.unwrap(base.arg("n_samples", 0, self.ev))) or 100
        return Range(0, classes - 1, True, classes=classes, labels=True, rows=rows)

    def _dataset(self, item: Item) -> Range | None:
        found = keras_dataset(item, self.ev)
        if found is None:
            return None
        base, name = found
        raw, (low, high) = api.DATASETS[name]
        rows = DATASET_ROWS.get(name) if item.path[0] == 0 else None
        if item.path[1] == 0:
            return Range(0.0, 255.0, True, raw_pixels=True, rows=rows) if raw else None
        if name in REGRESSION_DATASETS:
            return Range(low, high, rows=rows)
        bounds = dataset_label_bounds(base, name, self.ev)
        if bounds is None:
            return None
        low, high = bounds
        return Range(low, high, True, classes=int(high) + 1, labels=True, rows=rows)


def keras_dataset(item: Value, ev: Evaluator) -> tuple[Call, str] | None:
    """`(x, y), (x_test, y_test) = keras.datasets.NAME.load_data()` items: the load_data call and NAME."""
    if not isinstance(item, Item) or len(item.path) != 2:
        return None
    base = ev.unwrap(item.base)
    if not isinstance(base, Call) or not base.callee or not base.callee.endswith(".load_data"):
        return None
    parts = base.callee.split(".")
    if len(parts) != 4 or parts[:2] != ["keras", "datasets"] or parts[2] not in api.DATASETS:
        return None
    return base, parts[2]


def dataset_label_bounds(load_data: Call, dataset: str, ev: Evaluator) -> tuple[float, float] | None:
    """The label bounds of a keras.datasets loader, with its label mode applied (cifar100's coarse labels
    are 0..19); None when the mode is not a known constant."""
    low, high = api.DATASETS[dataset][1]
    if dataset not in api.DATASET_LABEL_MODES:
        return low, high
    argument, default, modes = api.DATASET_LABEL_MODES[dataset]
    given = load_data.arg(argument, None, ev)
    mode = ev.unwrap(given) if given is not None else Const(default)
    if not isinstance(mode, Const) or mode.value not in modes:
        return None
    return modes[mode.value]


SPLITTERS = ("sklearn.model_selection.train_test_split", "sklearn.cross_validation.train_test_split")


def split_source(item: Item, ev: Evaluator) -> Value | None:
    """`x_train, x_test, y_train, y_test = train_test_split(x, y)`: the array a part comes from."""
    base = ev.unwrap(item.base)
    if not (isinstance(base, Call) and base.callee in SPLITTERS and item.path and isinstance(item.path[0], int)):
        return None
    arrays = base.positional()
    index = item.path[0] // 2
    if index >= len(arrays) or arrays[index].star:
        return None
    return ev.eval(arrays[index].value, base.env)


def _int(value: Value | None) -> int | None:
    return _int_number(number(value))


def _int_number(n: float | None) -> int | None:
    return int(n) if n is not None and float(n).is_integer() and n > 0 else None
