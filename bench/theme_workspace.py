"""Benchmark: the theme workspace's two heaviest edits, through the full HTTP stack, under RLS.

    .venv/bin/python bench/theme_workspace.py [--updates 300] [--copies 100]

Creates its own database (bench_theme_workspace), bootstraps and migrates it like production, seeds
a tenant with a theme of 5 enabled locales and a version holding 50 content blocks, a full
navigation tree on each of the 3 surfaces, a booking flow, an e-mail theme and 5 locale packs,
then measures with an admin API key:
  * PATCH /api/v1/versions/{id}/ replacing the tokens (If-Match, validated, OCC), and
  * POST /api/v1/themes/{id}/versions/ copying that version with all its children,
and prints p50/p95/p99 in milliseconds and the SQL statements one copy issues. Not a test.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import fresh_database, report  # noqa: E402  (bench/ is not a package)

BENCH_DB = "bench_theme_workspace"
LOCALES = ["en", "fr", "de", "ar", "ja"]


def nav_tree() -> list:
    def item(item_id, ordinal, children=None):
        node = {"id": item_id, "kind": "page", "target": f"/{item_id}",
                "label": {locale: f"{item_id}-{locale}" for locale in LOCALES}, "ordinal": ordinal}
        if children:
            node["children"] = children
        return node

    return [item(f"n{a}", a, [item(f"n{a}-{b}", b, [item(f"n{a}-{b}-{c}", c) for c in range(3)]) for b in range(3)])
            for a in range(5)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--updates", type=int, default=300)
    parser.add_argument("--copies", type=int, default=100)
    args = parser.parse_args()

    fresh_database(BENCH_DB)
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from themeconfig import services
    from themeconfig.platform.principal import Principal

    print("seeding a tenant, a theme in 5 locales and a full version …", flush=True)
    tenant = services.tenant_create(principal=Principal.operator("bench"), slug="bench", name="Bench Hotels")
    owner = Principal.operator("bench", tenant_id=tenant.id)
    theme = services.theme_create(principal=owner, name="Bench", default_locale="en", enabled_locales=LOCALES,
                                  fallback_chain=[*LOCALES[1:], "en"])
    version = services.version_create(principal=owner, theme_id=theme.pk)
    surfaces = ["home", "detail", "search", "policies", "about"]
    for index in range(50):
        services.content_block_create(
            principal=owner, version_id=version.pk, surface=surfaces[index % 5], kind="rich_text",
            body={locale: {"format": "markdown", "value": f"Block {index} in {locale}. " * 20} for locale in LOCALES},
            meta={"kind": "rich_text"})
    for surface in ("header", "footer", "mobile_drawer"):
        services.navigation_put(principal=owner, version_id=version.pk, surface=surface, items=nav_tree())
    entries = {f"ui.key_{n}": f"Text {n} for {{name}}" for n in range(200)}
    for locale in LOCALES:
        services.locale_pack_put(principal=owner, version_id=version.pk, locale=locale, entries=entries)
    _, secret = services.api_key_create(principal=owner, name="bench", role="admin")
    client = Client(HTTP_HOST="localhost", HTTP_AUTHORIZATION=f"Bearer {secret}")

    tokens = client.get(f"/api/v1/versions/{version.pk}/").json()["tokens"]
    etag = client.get(f"/api/v1/versions/{version.pk}/")["ETag"]
    samples = []
    for index in range(args.updates):
        tokens["color"]["primary"] = f"#{index % 256:02x}3d91"
        started = time.perf_counter()
        response = client.patch(f"/api/v1/versions/{version.pk}/", json.dumps({"tokens": tokens}),
                                content_type="application/json", HTTP_IF_MATCH=etag)
        samples.append(time.perf_counter() - started)
        assert response.status_code == 200, response.content
        etag = response["ETag"]
    report("PATCH version tokens (validated, OCC)", samples)

    samples = []
    body = json.dumps({"from_version_id": version.pk})
    for _ in range(args.copies):
        started = time.perf_counter()
        response = client.post(f"/api/v1/themes/{theme.pk}/versions/", body, content_type="application/json")
        samples.append(time.perf_counter() - started)
        assert response.status_code == 201, response.content
    report("POST copy of a version (50 blocks, 5 locales)", samples)
    with CaptureQueriesContext(connection) as ctx:
        client.post(f"/api/v1/themes/{theme.pk}/versions/", body, content_type="application/json")
    print(f"SQL statements for one copy, whole request: {len(ctx.captured_queries)}", flush=True)


if __name__ == "__main__":
    main()
