"""What every benchmark here shares: a database built like production's, and the figures it prints.

Not a benchmark itself (bench/run_all.py skips it).
"""
from __future__ import annotations

import os
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def report(name: str, samples: list[float], target_ms: float | None = None, width: int = 44) -> None:
    ms = [s * 1000 for s in samples]
    p99 = percentile(ms, 99)
    line = (f"{name:<{width}} n={len(ms):<5} p50={statistics.median(ms):7.2f} ms  p95={percentile(ms, 95):7.2f} ms  "
            f"p99={p99:7.2f} ms")
    if target_ms is not None:
        line += f"  target p99<{target_ms:g} ms: {'OK' if p99 < target_ms else 'MISSED'}"
    print(line, flush=True)


def fresh_database(name: str) -> None:
    """Django set up on a new database `name`: bootstrap_db's roles and grants, migrated as the migrator."""
    import django
    from django.conf import settings

    django.setup()
    import psycopg
    from django.core.management import call_command
    from django.db import connections

    from themeconfig.platform import bootstrap

    with psycopg.connect(settings.ADMIN_DATABASE_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    bootstrap.bootstrap(admin_url=settings.ADMIN_DATABASE_URL, database=name)
    for alias in settings.DATABASES:
        settings.DATABASES[alias]["NAME"] = name
        connections[alias].settings_dict["NAME"] = name
    call_command("migrate", database="migrator", verbosity=0)
