"""One budget for every fuzz test: a fixed number of examples from a fixed seed, so CI runs
the same inputs every time, in well under a minute for the whole directory."""

from __future__ import annotations

from hypothesis import HealthCheck, settings

settings.register_profile(
    "urgent-fuzz",
    derandomize=True,
    deadline=None,
    database=None,  # no example database: the same inputs on every machine
    print_blob=True,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,  # the database and demo data are shared on purpose
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
    ],
)
settings.load_profile("urgent-fuzz")
