"""Benchmark: `rotate_encryption_keys` throughput (invitation e-mails with their look-up hashes).

    .venv/bin/python bench/rotate_encryption_keys.py [--rows 20000] [--batch 500]

Creates its own database (bench_theme_config_rotate), stores N invitations encrypted with an old key,
puts a new key in front and times the rotation, then a second (idempotent) run. Prints figures.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import fresh_database  # noqa: E402  (bench/ is not a package)

BENCH_DB = "bench_theme_config_rotate"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=20000)
    parser.add_argument("--batch", type=int, default=500)
    args = parser.parse_args()

    fresh_database(BENCH_DB)
    import psycopg
    from cryptography.fernet import Fernet
    from django.conf import settings
    from django.test.utils import override_settings

    from tests.factories.tenancy import TenantFactory
    from themeconfig.platform import encryption
    from themeconfig.platform.ids import new_id
    from themeconfig.services.encryption_keys import encryption_keys_rotate

    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    tenant = TenantFactory()
    with override_settings(FIELD_ENCRYPTION_KEYS=[old]):
        rows = [(new_id("inv"), tenant.id, encryption.encrypt(f"guest{n}@example.com"),
                 encryption.lookup_hash(f"guest{n}@example.com"), f"{n:064x}") for n in range(args.rows)]
    admin = settings.ADMIN_DATABASE_URL.rsplit("/", 1)[0] + f"/{BENCH_DB}"
    with psycopg.connect(admin, autocommit=True) as conn, conn.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO theme_config.invitations (id, tenant_id, email, email_hash, role, token_hash, invited_by, "
            "expires_at, revoked_at) VALUES (%s, %s, %s, %s, 'viewer', %s, 'operator:bench', now() + interval '1 day', "
            "now())", rows)
    with override_settings(FIELD_ENCRYPTION_KEYS=[new, old]):
        started = time.perf_counter()
        done = encryption_keys_rotate(batch=args.batch)
        first = time.perf_counter() - started
        started = time.perf_counter()
        again = encryption_keys_rotate(batch=args.batch)
        second = time.perf_counter() - started
    count = done["theme_config.invitations.email"]
    print(f"rotate {count} invitation e-mails (batch {args.batch}): {first:.2f} s, {count / first:,.0f} rows/s")
    print(f"second run (nothing to do, {again['theme_config.invitations.email']} rewritten): {second:.2f} s, "
          f"{args.rows / second:,.0f} rows/s checked")


if __name__ == "__main__":
    main()
