"""Lint many inputs: answer from the cache what it holds, lint the rest in parallel workers, store that."""

from __future__ import annotations

from dataclasses import replace
from typing import Iterable, Iterator

from kerlint.cache import Cache
from kerlint.runner import FileResult, Task, read_task, unreadable


def lint_files(tasks: Iterable[Task], jobs: int | None = None, cache: Cache | None = None) -> Iterator[FileResult]:
    if cache is None:
        yield from _lint(tasks, jobs)
        return
    misses: list[Task] = []
    keys: dict[str, str] = {}
    for task in tasks:
        data = read_task(task)
        if isinstance(data, str):
            yield unreadable(task.shown, data)
            continue
        key = cache.key(data, task.shown, task.settings)
        found = cache.get(key)
        if found is not None:
            yield FileResult(task.shown, found, data if task.keep_source and found else None)
            continue
        keys[task.shown] = key
        misses.append(replace(task, data=data))  # the bytes hashed are the bytes linted
    if not misses:
        return
    for result in _lint(misses, jobs):
        cache.put(keys[result.shown], result.diagnostics)
        yield result


def _lint(tasks: Iterable[Task], jobs: int | None) -> Iterator[FileResult]:
    from kerlint.pool import lint_all  # multiprocessing, loaded only when something is linted

    yield from lint_all(tasks, jobs)
