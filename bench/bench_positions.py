"""kerlint's one-pass collector vs libcst's MetadataWrapper + PositionProvider + a CSTVisitor pass.

    python bench/bench_positions.py [FILE]    (default: all seed fixtures concatenated, ~200 lines, x2)
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kerlint.extract.collect import ModuleContext  # noqa: E402


def source() -> str:
    if len(sys.argv) > 1:
        return Path(sys.argv[1]).read_text()
    parts = [p.read_text() for p in sorted((ROOT / "fixtures" / "seeds").glob("*.py")) if "as_posted" not in p.name]
    return "\n".join(parts * 2).replace("\nreturn model\n", "\npass\n")


def median_ms(action, runs: int = 15) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    module = cst.parse_module(source())
    lines = module.code.count("\n")

    def libcst_way():
        wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
        wrapper.resolve(PositionProvider)
        wrapper.visit(cst.CSTVisitor())

    ours = median_ms(lambda: ModuleContext(module, "bench.py"))
    theirs = median_ms(libcst_way)
    print(f"{lines} lines")
    print(f"MetadataWrapper + PositionProvider + visit  median {theirs:6.1f} ms")
    print(f"kerlint ModuleContext (one codegen pass)     median {ours:6.1f} ms   ({theirs / ours:.1f}x faster)")


if __name__ == "__main__":
    main()
