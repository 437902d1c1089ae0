"""Hypothesis draws the same examples on every run (its `derandomize` setting), so the suite
passes or fails alike on every machine and every run, as CI needs: a property found false is
found false again. `pytest --hypothesis-profile=explore` draws new examples each run."""

from __future__ import annotations

import pytest
from hypothesis import settings

settings.register_profile("repeatable", derandomize=True)
settings.register_profile("explore", derandomize=False)


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("hypothesis_profile", default=None) is None:
        settings.load_profile("repeatable")
