"""Run kerlint as a user does: a separate process, `python -m kerlint ...`."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def lines(self) -> list[str]:
        return self.out.splitlines()


def kerlint(*args: str, cwd: Path, stdin: bytes | None = None, timeout: float = 120, prefix: list[str] = ()) -> Result:
    """`prefix`: a command that runs kerlint (e.g. under a seccomp filter)."""
    path = os.environ.get("PYTHONPATH")
    env = {**os.environ, "PYTHONPATH": str(REPO) + (os.pathsep + path if path else ""), "PYTHONIOENCODING": "utf-8"}
    done = subprocess.run(
        [*prefix, sys.executable, "-m", "kerlint", *args],
        cwd=cwd, input=stdin if stdin is not None else b"", capture_output=True, env=env, timeout=timeout,
    )
    result = Result(done.returncode, done.stdout.decode("utf-8"), done.stderr.decode("utf-8"))
    assert "Traceback" not in result.err, result.err
    return result


def write(root: Path, files: dict[str, str | bytes]) -> None:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


# Samples that trigger only the engine rules, which always exist.
SYNTAX_ERROR = "x = (\n"
SYNTAX_LINE = "1:5: KL001 syntax error: '(' was never closed; nothing else in this file was checked"
UNUSED_NOQA = "x = 1  # noqa: KL0999\n"  # a code kerlint does not have: reported whatever is selected
UNUSED_LINE = "1:8: KL003 unknown rule code KL0999 in `noqa`"
CLEAN = "x = 1\n"
