"""Settings of the server bench/publish.py runs: the test settings, with a bare view mounted beside the API.

Not a benchmark itself (bench/run_all.py skips it). Everything else (middleware, databases from the
environment, Redis, RESOLVE_CACHE_SECONDS) is exactly what the project's settings give.
"""
from config.settings.test import *  # noqa: F403

ROOT_URLCONF = "bench.urls_bench"
