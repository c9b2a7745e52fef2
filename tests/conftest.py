"""Every kerlint process the tests start shares one cache in pytest's temporary directory, so no test
writes a `.kerlint_cache` into a tree it inspects and no cache outside the run can change a result."""

from __future__ import annotations

import os

import pytest

from kerlint.cache import ENVIRONMENT_VARIABLE


@pytest.fixture(autouse=True, scope="session")
def _session_cache(tmp_path_factory: pytest.TempPathFactory):
    previous = os.environ.get(ENVIRONMENT_VARIABLE)
    os.environ[ENVIRONMENT_VARIABLE] = str(tmp_path_factory.mktemp("kerlint-cache"))
    yield
    if previous is None:
        os.environ.pop(ENVIRONMENT_VARIABLE, None)
    else:
        os.environ[ENVIRONMENT_VARIABLE] = previous
