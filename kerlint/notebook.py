"""A Jupyter notebook (.ipynb) as one Python program: its code cells joined in order, IPython syntax masked.

A model built in one cell and compiled in another is one program, as it is when the notebook runs.
IPython-only lines (`%magic`, `!shell`, `x = !cmd`, `obj?`) become `pass` (or `x = None`) at the same
indentation, and a cell whose `%%magic` runs something other than Python is blanked, so that every
code cell keeps its line count: joined line N maps back to (cell, line in cell) by a lookup, and
columns are unchanged. Cells are numbered from 1 counting every cell (markdown too), as an editor
shows them.

The format is plain JSON (nbformat 4: `cells`, each with `cell_type` and `source`), and only the
code cells' sources are needed, so nbformat is not a dependency: reading the JSON is all it takes,
and a notebook nbformat would reject (a missing `outputs` key, an unknown field) is still linted.
"""

from __future__ import annotations

import bisect
import functools
import json
import re
from dataclasses import dataclass

SUFFIX = ".ipynb"

# Cell magics whose body is Python that runs in the notebook's namespace: the first line is masked,
# the body kept. Any other `%%magic` (bash, html, writefile, script, sql, ...) masks the whole cell.
PYTHON_CELL_MAGICS = frozenset({"time", "timeit", "capture", "prun", "debug", "memit"})

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_ASSIGNED_MAGIC = re.compile(r"^(?P<target>[A-Za-z_][\w.]*(?:\s*,\s*[A-Za-z_][\w.]*)*)\s*=\s*[!%]")
_HELP = re.compile(r"^[?]+\s*[\w.]+\s*$|^[\w.]+\s*[?]+\s*$")  # ?obj, obj?, obj??


class NotebookError(Exception):
    """Why a file can't be read as a notebook, with the JSON position when there is one."""

    def __init__(self, message: str, line: int = 1, col: int = 0) -> None:
        super().__init__(message)
        self.message, self.line, self.col = message, line, col


@dataclass(frozen=True)
class CodeCell:
    number: int  # 1-based, counting every cell
    first_line: int  # the joined source's line that holds this cell's line 1
    lines: tuple[str, ...]  # the cell's own text, unmasked


@dataclass(frozen=True)
class Notebook:
    source: str  # the code cells joined, IPython syntax masked
    cells: tuple[CodeCell, ...]

    def locate(self, line: int) -> tuple[int, int] | None:
        """Joined line -> (cell number, line in that cell); None when there are no code cells. A line past
        the end (a syntax error at the end of the input) is counted on from the last cell's start."""
        index = bisect.bisect_right([cell.first_line for cell in self.cells], line) - 1
        if index < 0:
            return None
        cell = self.cells[index]  # the last one starting at or before `line` (empty cells start where the next does)
        return cell.number, line - cell.first_line + 1

    def cell(self, number: int) -> CodeCell | None:
        return next((cell for cell in self.cells if cell.number == number), None)

    def line_of(self, number: int, line: int) -> int:
        """(cell number, line in cell) -> the joined source's line."""
        cell = self.cell(number)
        assert cell is not None, number
        return cell.first_line + line - 1


def is_notebook(path: str) -> bool:
    return path.lower().endswith(SUFFIX)


def split_lines(text: str) -> list[str]:
    """A cell's lines (Python's own line ends only); no phantom line after a final newline."""
    lines = _LINE_BREAK.split(text)
    return lines[:-1] if lines[-1] == "" else lines


def read_notebook(data: bytes) -> Notebook:
    """The notebook's code cells, joined; NotebookError when `data` is not a notebook kerlint can read."""
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        raise NotebookError(f"not valid UTF-8 (byte 0x{data[error.start]:02x} at offset {error.start})") from None
    except json.JSONDecodeError as error:
        raise NotebookError(f"not valid JSON: {error.msg}", error.lineno, error.colno - 1) from None
    except RecursionError:
        raise NotebookError("not valid JSON: nested too deeply") from None
    if not isinstance(document, dict) or not isinstance(document.get("cells"), list):
        raise NotebookError("not a Jupyter notebook: the JSON has no `cells` list (only nbformat 4 is supported)")
    sources = []
    for number, cell in enumerate(document["cells"], start=1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        if isinstance(source, list) and all(isinstance(part, str) for part in source):
            source = "".join(source)
        if not isinstance(source, str):
            raise NotebookError(f"not a Jupyter notebook: cell {number}'s `source` is not text")
        sources.append((number, source))
    return join_cells(sources)


def join_cells(sources: list[tuple[int, str]]) -> Notebook:
    """(cell number, cell text) of each code cell, in order -> the joined, masked program."""
    cells, joined = [], []
    for number, text in sources:
        lines = split_lines(text)
        cells.append(CodeCell(number, len(joined) + 1, tuple(lines)))
        joined += mask_cell(lines)
    return Notebook("".join(line + "\n" for line in joined), tuple(cells))


def language(data: bytes) -> str | None:
    """The notebook kernel's language when it says, lower case (None when it doesn't, or on bad JSON)."""
    try:
        metadata = json.loads(data.decode("utf-8-sig")).get("metadata") or {}
        name = (metadata.get("language_info") or {}).get("name") or (metadata.get("kernelspec") or {}).get("language")
    except (ValueError, AttributeError, RecursionError):
        return None
    return name.lower() if isinstance(name, str) else None


@functools.lru_cache(maxsize=8)
def cell_lines(data: bytes) -> dict[int, tuple[str, ...]]:
    """Each code cell's own lines by cell number (for reporters that quote source); {} when unreadable."""
    try:
        return {cell.number: cell.lines for cell in read_notebook(data).cells}
    except NotebookError:
        return {}


# --- masking IPython syntax --------------------------------------------------------------------------


def mask_cell(lines: list[str]) -> list[str]:
    """The cell's lines as plain Python, line for line."""
    first = next((index for index, line in enumerate(lines) if line.strip()), None)
    if first is not None and lines[first].startswith("%%"):
        name = lines[first][2:].split(maxsplit=1)[0] if lines[first][2:].strip() else ""
        if name not in PYTHON_CELL_MAGICS:
            return [""] * len(lines)
        lines = [*lines[:first], "", *lines[first + 1 :]]
    return _mask_lines(lines)


def _mask_lines(lines: list[str]) -> list[str]:
    out = []
    scanner = _Scanner()
    magic_continues = False
    for line in lines:
        if magic_continues:  # a magic's own `\` continuation
            out.append("")
            magic_continues = line.endswith("\\")
            continue
        if scanner.at_statement_start():
            masked = _mask_line(line)
            if masked is not None:
                out.append(masked)
                magic_continues = line.endswith("\\")
                continue
        out.append(line)
        scanner.feed(line)
    return out


def _mask_line(line: str) -> str | None:
    """The Python that stands in for an IPython-only line, or None when the line is Python."""
    stripped = line.lstrip()
    indent = line[: len(line) - len(stripped)]
    if not stripped:
        return None
    if stripped[0] in "!%/;,":  # magic, shell, or IPython's autocall (`/f x`, `,f a b`, `;f a`)
        return indent + "pass"
    assigned = _ASSIGNED_MAGIC.match(stripped)  # `files = !ls`, `t = %timeit -o f()`
    if assigned:
        return f"{indent}{assigned.group('target')} = None"
    if _HELP.match(stripped.split("#", 1)[0].rstrip()):
        return indent + "pass"
    return None


class _Scanner:
    """Just enough of Python's tokenizer to tell whether the next line starts a statement: open
    brackets, an open triple-quoted string or a backslash continuation say it does not (so `% b` or
    `!x` inside them is Python, or string content, not a magic)."""

    def __init__(self) -> None:
        self.depth = 0
        self.open_string: str | None = None  # the closing triple quote we are inside
        self.continued = False

    def at_statement_start(self) -> bool:
        return self.depth == 0 and self.open_string is None and not self.continued

    def feed(self, line: str) -> None:
        index, length = 0, len(line)
        self.continued = False
        while index < length:
            if self.open_string is not None:
                end = _string_end(line, index, self.open_string)
                if end < 0:
                    return
                self.open_string, index = None, end
                continue
            char = line[index]
            if char == "#":
                return
            if char in "\"'":
                quote = line[index : index + 3] if line[index : index + 3] in ('"""', "'''") else char
                end = _string_end(line, index + len(quote), quote)
                if end < 0:
                    if len(quote) == 3:
                        self.open_string = quote
                    return  # an unterminated one-line string: the line is broken anyway
                index = end
                continue
            if char in "([{":
                self.depth += 1
            elif char in ")]}":
                self.depth = max(self.depth - 1, 0)
            elif char == "\\" and index == length - 1:
                self.continued = True
            index += 1


def _string_end(line: str, start: int, quote: str) -> int:
    """The index just past `quote` closing a string at or after `start`; -1 when it doesn't close here."""
    index = start
    while index < len(line):
        if line[index] == "\\":
            index += 2
            continue
        if line.startswith(quote, index):
            return index + len(quote)
        index += 1
    return -1
