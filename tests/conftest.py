"""Settings shared by every test: the hypothesis profiles and the ``slow`` marker.

Profiles (choose with ``HYPOTHESIS_PROFILE=thorough``): ``default`` keeps the whole core suite well
under a minute; ``thorough`` runs many more examples, for a night run or after touching the compiler.
No deadline in either: the tests assert what comes out, never how fast.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "default",
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "thorough",
    max_examples=1000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "slow: takes several seconds (builds a wheel, starts subprocesses)"
    )
    # Hypothesis's reporter touches mypy_extensions.TypedDict when it prints a failing example;
    # that DeprecationWarning (turned into an error by filterwarnings=error) hides the real failure.
    config.addinivalue_line(
        "filterwarnings", "ignore:mypy_extensions.TypedDict is deprecated:DeprecationWarning"
    )
