"""Settings and fixtures every test folder shares."""

from __future__ import annotations

from hypothesis import HealthCheck, settings

pytest_plugins = ["tests.postgres_fixtures"]

# No per-example deadline: the suite runs on loaded 2-core machines under xdist, where one slow
# example says nothing about the code. Wait on conditions, not on clocks.
settings.register_profile("reconciler", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("reconciler")
