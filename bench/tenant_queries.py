"""Benchmark: seed 002 query targets under RLS, as the app role, through the full Django stack.

    .venv/bin/python bench/tenant_queries.py [--tenants 50] [--properties 200] [--requests 500]

Creates its own database (bench_theme_config), bootstraps and migrates it like production, seeds
N tenants × M properties, then measures:
  * PK lookup of a property inside a tenant transaction (target p99 < 5 ms)
  * the tenant-scoped list endpoint GET /api/v1/properties/ with an API key (target p99 < 50 ms)
and prints p50/p95/p99 in milliseconds. Not a test: it prints figures.
"""
from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import fresh_database, report  # noqa: E402  (bench/ is not a package)

BENCH_DB = "bench_theme_config"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tenants", type=int, default=50)
    parser.add_argument("--properties", type=int, default=200, help="properties per tenant")
    parser.add_argument("--requests", type=int, default=500)
    args = parser.parse_args()

    fresh_database(BENCH_DB)
    import psycopg
    from django.conf import settings
    from django.db import connections
    from django.test import Client

    from themeconfig.models import ApiClient, Property, Tenant
    from themeconfig.platform import api_key_secrets as api_keys
    from themeconfig.platform.ids import new_id
    from themeconfig.platform.tenant_context import tenant_context

    print(f"seeding {args.tenants} tenants × {args.properties} properties …", flush=True)
    started = time.monotonic()
    keys: list[tuple[str, str, list[str]]] = []
    for n in range(args.tenants):
        tenant_id = new_id("tnt")
        with tenant_context(tenant_id):
            Tenant.objects.create(id=tenant_id, slug=f"bench-{n}", name=f"Bench {n}")
            rows = [Property(id=new_id("prp"), tenant_id=tenant_id, name=f"Hotel {i}") for i in range(args.properties)]
            Property.objects.bulk_create(rows)
            secret = api_keys.generate_secret(tenant_id)
            ApiClient.objects.create(
                tenant_id=tenant_id, name="bench", secret_hash=api_keys.hash_secret(secret),
                secret_hint=api_keys.hint(secret), created_by="bench",
            )
        keys.append((tenant_id, secret, [r.id for r in rows]))
    with connections["migrator"].cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"seeded in {time.monotonic() - started:.1f}s", flush=True)

    rng = random.Random(1)
    pk_samples = []
    for _ in range(args.requests * 4):
        tenant_id, _, ids = rng.choice(keys)
        pk = rng.choice(ids)
        t0 = time.perf_counter()
        with tenant_context(tenant_id):
            Property.objects.get(pk=pk)
        pk_samples.append(time.perf_counter() - t0)

    query_samples = []
    tenant_id, _, ids = keys[0]
    with tenant_context(tenant_id):
        for _ in range(args.requests * 4):
            pk = rng.choice(ids)
            t0 = time.perf_counter()
            Property.objects.get(pk=pk)
            query_samples.append(time.perf_counter() - t0)

    client = Client(HTTP_HOST="localhost")
    list_samples = []
    for _ in range(args.requests):
        _, secret, _ = rng.choice(keys)
        t0 = time.perf_counter()
        response = client.get("/api/v1/properties/?page_size=50", HTTP_AUTHORIZATION=f"Bearer {secret}")
        list_samples.append(time.perf_counter() - t0)
        assert response.status_code == 200 and len(response.json()["results"]) == min(50, args.properties)

    print(f"\n{args.tenants} tenants, {args.tenants * args.properties} properties, PostgreSQL as theme_config_app (RLS on)")
    report("PK lookup, whole tenant transaction", pk_samples, 5)
    report("PK lookup, the query alone", query_samples, 5)
    report("GET /api/v1/properties/ (page of 50)", list_samples, 50)
    for connection in connections.all():
        connection.close()
    with psycopg.connect(settings.ADMIN_DATABASE_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")


if __name__ == "__main__":
    main()
