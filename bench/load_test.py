"""Load test: mixed traffic through gunicorn and Celery workers, driven by Locust, on loopback only.

    pip install -e '.[bench]'      # Locust
    .venv/bin/python bench/load_test.py [--duration 20] [--users 16] [--web-processes 1,2]
                                        [--themes 2000] [--editors 16] [--shared-cluster]

Traffic (bench/locustfile_mixed.py): 95 % resolve (GET resolve/?host=, a random published host),
4 % editing (PATCH of a draft's tokens, merge-patch with If-Match, through an admin API key),
1 % publish (POST versions/{id}/publish/, then a new draft copied from it). Each user is one of
--editors tenants (its own theme, draft and key), so edits never race each other; no waits between
tasks, so --users concurrent users keep the server saturated for --duration seconds (bounded).

It starts, on loopback ports of its own: a PostgreSQL 15 cluster with pg_stat_statements preloaded
(tests/pg_cluster.py; --shared-cluster uses 127.0.0.1:5432 instead, where top queries print the
hint if the extension is not loaded), a database BENCH_DB (default theme_config_bench_load)
bootstrapped and migrated like production's and filled with --themes published themes (as
bench/publish.py fills), a Celery worker on the publish queue (prefork 2) and one on the views'
refresh queue (1 process), as scripts/run.sh runs them, and for each count in --web-processes a
gunicorn with that many sync workers (DATABASE_CONN_MAX_AGE=60, resolve cache on, rate limits off:
every request comes from 127.0.0.1). For each it prints requests/s, p50 and p99 per kind and the
errors, then what the capacity section of the README uses: peak PostgreSQL connections per role,
WAL bytes/s, publish jobs done and their backlog drained, the views' refresh count and lag, Redis
memory of its database, bundle files written, and the top statements of pg_stat_statements.

Redis: BENCH_REDIS_URL (default redis://127.0.0.1:6379/12), which must be empty and is flushed at the
end; the database (and the cluster) are dropped at the end. Not a test: it prints figures.
"""
from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

os.environ.setdefault("BENCH_DB", "theme_config_bench_load")
os.environ.setdefault("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")
sys.path.insert(0, str(Path(__file__).resolve().parent))
import publish as bench  # noqa: E402  (bench/ is not a package; it sets the environment up)
from resolve_throttle import workers_cpu_seconds  # noqa: E402

LOCUSTFILE = Path(__file__).resolve().parent / "locustfile_mixed.py"
CLUSTER_OPTIONS = "-c shared_preload_libraries=pg_stat_statements -c full_page_writes=on -c max_connections=200"
KINDS = ("resolve", "edit", "publish")


# --- set-up ----------------------------------------------------------------------------------

def use_cluster(port: int) -> None:
    """Points every database URL of this process (and so of its children) at our own cluster."""
    base = f"127.0.0.1:{port}/{bench.BENCH_DB}"
    os.environ.update(
        ADMIN_DATABASE_URL=f"postgres://postgres@127.0.0.1:{port}/postgres",
        DATABASE_URL=f"postgres://theme_config_app@{base}",
        MIGRATOR_DATABASE_URL=f"postgres://theme_config_migrator@{base}",
        SERVICE_DATABASE_URL=f"postgres://theme_config_service@{base}",
        PREVIEW_DATABASE_URL=f"postgres://theme_config_preview_reader@{base}",
    )


def editor(index: int) -> dict:
    """A tenant with a published theme on its host, an admin API key and a full draft to edit and publish."""
    from publishing.services import publish
    from tests.unit.themeconfig.validators.samples import valid_tokens
    from themeconfig import services
    from themeconfig.platform.principal import Principal
    from themeconfig.platform.tenant_context import tenant_context

    tenant = bench.PublishingTenant(index)
    _, secret = services.api_key_create(principal=Principal.operator("load_test", tenant_id=tenant.tenant_id),
                                        name="load test", role="admin")
    version = services.version_create(principal=tenant.admin, theme_id=tenant.theme_id)
    services.content_block_create(principal=tenant.admin, version_id=version.pk, surface="home", kind="rich_text",
                                  body={"en": {"format": "markdown", "value": "Find your room"}},
                                  meta={"kind": "rich_text"})
    services.locale_pack_put(principal=tenant.admin, version_id=version.pk, locale="en",
                             entries={"search.title": "Find your room"})
    with tenant_context(tenant.tenant_id):
        version.refresh_from_db()  # its children moved its OCC version on
    version = services.version_update(principal=tenant.admin, version_id=version.pk, expected_version=version.version,
                                      tokens=valid_tokens())
    job = publish.version_publish(principal=tenant.admin, version_id=version.pk,
                                  expected_theme_version=tenant.theme_version())
    draft = services.version_create(principal=tenant.admin, theme_id=tenant.theme_id, from_version_id=version.pk)
    return {"host": tenant.host, "secret": secret, "theme_id": tenant.theme_id, "draft_id": draft.pk,
            "draft_version": draft.version, "first_job": (tenant, job.pk)}


def admin_rows(sql: str, params: tuple = ()) -> list[tuple]:
    with bench.admin_connect() as conn:
        return conn.execute(sql, params).fetchall()


# --- what is watched during a run ---------------------------------------------------------------

class ConnectionSampler(threading.Thread):
    """Samples pg_stat_activity every 0.25 s: the most connections to our database, per role."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak: dict[str, int] = {}
        self.peak_total = 0
        self.stop_event = threading.Event()

    def run(self) -> None:
        with bench.admin_connect() as conn:
            while not self.stop_event.wait(0.25):
                rows = conn.execute("SELECT usename, count(*) FROM pg_stat_activity WHERE datname = %s "
                                    "AND usename IS NOT NULL GROUP BY usename", [bench.BENCH_DB]).fetchall()
                for role, count in rows:
                    self.peak[role] = max(self.peak.get(role, 0), count)
                self.peak_total = max(self.peak_total, sum(count for _, count in rows))


def wal_lsn() -> int:
    return int(admin_rows("SELECT pg_current_wal_lsn() - '0/0'::pg_lsn")[0][0])


def unfinished_jobs() -> int:
    return admin_rows("SELECT count(*) FROM theme_config.publish_jobs WHERE status NOT IN ('succeeded', 'failed')")[0][0]


def drain(timeout: float = 180) -> float:
    """Waits until every publish job has finished; the seconds it took."""
    started = time.monotonic()
    while unfinished_jobs() and time.monotonic() - started < timeout:
        time.sleep(0.25)
    return time.monotonic() - started


def redis_figures() -> tuple[int, int]:
    """(keys, bytes) of our Redis database (MEMORY USAGE of each key: the server is shared)."""
    import redis

    client = redis.Redis.from_url(bench.REDIS_URL)
    keys = list(client.scan_iter(count=1000))
    return len(keys), sum(client.memory_usage(key) or 0 for key in keys)


def relation_sizes() -> dict[str, tuple[int, int]]:
    names = ("theme_config.host_resolution", "theme_config.published_theme_view", "theme_config.host_to_theme_view",
             "theme_config.themes", "theme_config.theme_versions", "theme_config.theme_publications",
             "theme_config.outbox", "theme_config.audit_log", "theme_config.publish_jobs")
    sizes = {}
    for name in names:
        # A partitioned table (the audit log) holds nothing itself: its partitions are counted.
        rows = admin_rows(f"SELECT (SELECT count(*) FROM {name}), pg_total_relation_size('{name}') + "  # noqa: S608
                          f"coalesce((SELECT sum(pg_total_relation_size(inhrelid)) FROM pg_inherits "
                          f"WHERE inhparent = '{name}'::regclass), 0)")
        sizes[name] = rows[0]
    return sizes


def storage_figures() -> tuple[int, int]:
    files = [path for path in Path(bench.MEDIA_ROOT).rglob("*") if path.is_file()]
    return len(files), sum(path.stat().st_size for path in files)


# --- one run -----------------------------------------------------------------------------------

def run_locust(port: int, plan: Path, users: int, duration: float, workdir: Path, label: str) -> dict:
    prefix = workdir / label
    env = {**os.environ, "LOAD_TEST_PLAN": str(plan)}
    argv = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless", "--users", str(users),
            "--spawn-rate", str(users), "--run-time", f"{duration:g}s", "--host", f"http://127.0.0.1:{port}",
            "--csv", str(prefix), "--only-summary", "--stop-timeout", "10", "--loglevel", "WARNING",
            "--exit-code-on-error", "0"]
    before = os.times()
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=duration + 120)
    after = os.times()
    locust_cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    if done.returncode:
        raise RuntimeError(f"locust failed ({done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    with open(f"{prefix}_stats.csv") as stats_file:
        stats = {row["Name"]: row for row in csv.DictReader(stats_file)}
    with open(f"{prefix}_failures.csv") as failures_file:
        failures = [(row["Name"], row["Error"], int(row["Occurrences"])) for row in csv.DictReader(failures_file)]
    return {"stats": stats, "failures": failures, "locust_cpu": locust_cpu}


def print_run(label: str, result: dict) -> None:
    stats = result["stats"]
    print(f"\n-- {label}")
    print(f"{'kind':<22} {'requests':>9} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
    names = [*KINDS, *sorted(name for name in stats if name not in KINDS and name != "Aggregated"), "Aggregated"]
    for name in names:
        row = stats.get(name)
        if row is None:
            continue
        print(f"{'all' if name == 'Aggregated' else name:<22} {int(row['Request Count']):>9} "
              f"{float(row['Requests/s']):>8.1f} {row['50%']:>8} {row['99%']:>8} {int(row['Failure Count']):>7}")
    for name, error, count in result["failures"]:
        print(f"  error {name}: {error} ×{count}")


def top_statements(limit: int) -> None:
    from themeconfig.platform.query_stats import QueryStatsUnavailable, format_table, top_queries

    try:
        statements = top_queries(url=admin_url(), limit=limit, create_extension=True, reset=True)
    except QueryStatsUnavailable as unavailable:
        print(f"top queries: {unavailable}")
        return
    print(f"top {limit} statements by total time (pg_stat_statements, this run; reset after):")
    print(format_table(statements, width=150))


def admin_url() -> str:
    from django.conf import settings

    from themeconfig.platform import bootstrap

    return bootstrap.with_database(settings.ADMIN_DATABASE_URL, bench.BENCH_DB)


def reset_statements() -> None:
    from themeconfig.platform.query_stats import QueryStatsUnavailable, reset_statistics

    with contextlib.suppress(QueryStatsUnavailable):
        reset_statistics(url=admin_url(), create_extension=True)


# --- the whole -------------------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=20, help="seconds of load per web-process count")
    parser.add_argument("--users", type=int, default=16, help="concurrent Locust users")
    parser.add_argument("--web-processes", default="1,2", help="gunicorn sync worker counts, one run each")
    parser.add_argument("--themes", type=int, default=2000, help="filled published themes (a multiple of 20)")
    parser.add_argument("--editors", type=int, default=16, help="tenants that edit and publish (one per user)")
    parser.add_argument("--top", type=int, default=8, help="statements of pg_stat_statements printed per run")
    parser.add_argument("--shared-cluster", action="store_true",
                        help="use the PostgreSQL of ADMIN_DATABASE_URL (127.0.0.1:5432) instead of a cluster of our own")
    args = parser.parse_args()
    web_processes = [int(n) for n in args.web_processes.split(",")]
    if args.duration > 600 or args.users > 200:
        sys.exit("bounded: --duration at most 600 s, --users at most 200")

    bench.check_redis_is_ours()
    started = time.monotonic()
    with contextlib.ExitStack() as stack:
        if not args.shared_cluster:
            from tests.pg_cluster import own_postgres

            cluster = stack.enter_context(own_postgres(settings=CLUSTER_OPTIONS))
            use_cluster(cluster.port)
            print(f"PostgreSQL cluster of our own on 127.0.0.1:{cluster.port} (pg_stat_statements preloaded)",
                  flush=True)
        print(f"creating {bench.BENCH_DB}, filling {args.themes:,} themes …", flush=True)
        bench.fresh_database(bench.BENCH_DB)
        children: list[bench.Child] = []
        workdir = Path(tempfile.mkdtemp(prefix="bench-load-"))
        try:
            from django.conf import settings

            bench.fill(0, args.themes)
            sizes_before = relation_sizes()
            print("starting the Celery workers (publish queue: prefork 2; views queue: 1) …", flush=True)
            children.append(bench.start_worker(30, queue=settings.CELERY_TASK_DEFAULT_QUEUE, concurrency=2))
            children.append(bench.start_worker(30, queue=settings.VIEWS_REFRESH_QUEUE, concurrency=1))
            print(f"creating {args.editors} editing tenants (key, theme, first publish, a draft) …", flush=True)
            editors = [editor(i) for i in range(args.editors)]
            bench.wait_for_jobs([e.pop("first_job") for e in editors])
            rng = random.Random(1)
            hosts = [bench.filled_ids(rng.randint(1, args.themes))[2] for _ in range(1000)] + [e["host"] for e in editors]
            plan = workdir / "plan.json"
            plan.write_text(json.dumps({"hosts": hosts, "editors": editors}))
            reset_statements()
            outcomes = []
            for processes in web_processes:
                label = f"{processes} web process{'es' if processes > 1 else ''}"
                server, port = bench.start_server(30, workers=processes, THROTTLE_RESOLVE_RATE="off",
                                                  THROTTLE_API_KEY_RATE="off", THROTTLE_USER_RATE="off")
                children.append(server)
                for host in hosts[:50]:  # warm-up: connections, imports
                    bench.get(port, f"/api/v1/resolve/?host={host}")
                reset_statements()
                sampler = ConnectionSampler()
                sampler.start()
                wal_before, jobs_before = wal_lsn(), admin_rows("SELECT count(*) FROM theme_config.publish_jobs")[0][0]
                cpu_before, load_before = workers_cpu_seconds(server.process.pid), os.getloadavg()[0]
                refreshes_before = admin_rows("SELECT refresh_count FROM theme_config.read_model_refresh_state")[0][0]
                print(f"\n{label}: {args.users} users for {args.duration:g}s …", flush=True)
                result = run_locust(port, plan, args.users, args.duration, workdir, label.replace(" ", "_"))
                wal_bytes = wal_lsn() - wal_before
                web_cpu, load_after = workers_cpu_seconds(server.process.pid) - cpu_before, os.getloadavg()[0]
                drained = drain()
                sampler.stop_event.set()
                sampler.join()
                jobs = dict(admin_rows("SELECT status, count(*) FROM theme_config.publish_jobs GROUP BY status"))
                jobs_run = admin_rows("SELECT count(*) FROM theme_config.publish_jobs")[0][0] - jobs_before
                # accepted (the API's 202) -> finished, and its run alone, of this run's jobs
                timing = admin_rows(
                    "SELECT percentile_cont(ARRAY[0.5, 0.99]) WITHIN GROUP (ORDER BY finished_at - created_at), "
                    "percentile_cont(ARRAY[0.5, 0.99]) WITHIN GROUP (ORDER BY finished_at - started_at) "
                    "FROM (SELECT * FROM theme_config.publish_jobs ORDER BY created_at DESC LIMIT %s) j", (jobs_run,))[0]
                time.sleep(0.5)
                state = admin_rows("SELECT refresh_count, last_duration_ms, last_lag_ms, "
                                   "extract(epoch FROM clock_timestamp() - least(pending_since, covering_since)) "
                                   "FROM theme_config.read_model_refresh_state")[0]
                print_run(label, result)
                requests = int(result["stats"]["Aggregated"]["Request Count"])
                print(f"web workers' CPU: {web_cpu:.1f} s for {requests} requests = {requests / web_cpu:.0f} requests "
                      f"per CPU second ({web_cpu / args.duration:.2f} of the {os.cpu_count()} cores); machine load "
                      f"average {load_before:.1f} → {load_after:.1f}; Locust itself {result['locust_cpu']:.1f} CPU s "
                      f"({result['locust_cpu'] / args.duration:.2f} cores)")
                result["per_cpu_second"] = requests / web_cpu if web_cpu else 0.0
                print(f"PostgreSQL connections to {bench.BENCH_DB}, peak: {sampler.peak_total} "
                      f"({', '.join(f'{role} {count}' for role, count in sorted(sampler.peak.items()))})")
                print(f"WAL: {wal_bytes / 1024 / 1024:.1f} MiB in {args.duration:g}s = "
                      f"{wal_bytes / args.duration / 1024:.0f} KiB/s (the cluster: "
                      f"{'ours alone' if not args.shared_cluster else 'shared, others included'})")
                print(f"publish jobs: {jobs_run} run ({jobs.get('succeeded', 0)} succeeded, {jobs.get('failed', 0)} "
                      f"failed in all), backlog drained {drained:.1f}s after the load stopped")
                if jobs_run:
                    waits, runs = ([round(d.total_seconds() * 1000) for d in pair] for pair in timing)
                    print(f"publish job, accepted -> finished: p50 {waits[0]} ms, p99 {waits[1]} ms; "
                          f"its run alone: p50 {runs[0]} ms, p99 {runs[1]} ms")
                lag_now = 0.0 if state[3] is None else float(state[3])
                print(f"views: {state[0] - refreshes_before} refreshes on their own queue, last took "
                      f"{float(state[1] or 0):.0f} ms, last lag (commit -> refreshed) {float(state[2] or 0) / 1000:.2f}s, "
                      f"behind now {lag_now:.2f}s")
                top_statements(args.top)
                outcomes.append((label, result))
                server.stop()
                children.remove(server)
            keys, redis_bytes = redis_figures()
            files, stored = storage_figures()
            sizes_after = relation_sizes()
            print(f"\n== bench/load_test.py: {args.themes:,} filled themes + {args.editors} editing tenants, "
                  f"{args.users} users, {args.duration:g}s per run, {os.cpu_count()} cores shared with Locust itself "
                  f"and the workers")
            for label, result in outcomes:
                stats = result["stats"]
                line = "  ".join(f"{kind} {float(stats[kind]['Requests/s']):.1f}/s p50 {stats[kind]['50%']} "
                                 f"p99 {stats[kind]['99%']} ms" for kind in KINDS if kind in stats)
                errors = int(stats["Aggregated"]["Failure Count"])
                print(f"{label:<16} total {float(stats['Aggregated']['Requests/s']):.1f} req/s "
                      f"({result['per_cpu_second']:.0f} per web CPU second)  {line}  errors {errors}")
            print(f"Redis (our database): {keys} keys, {redis_bytes / 1024:.0f} KiB")
            print(f"storage: {files} files, {stored / 1024:.0f} KiB written")
            print("relation sizes (rows, total bytes incl. indexes, bytes per row) before → after:")
            for name, (rows, size) in sizes_after.items():
                rows0, size0 = sizes_before[name]
                per_row = f"{size / rows:.0f} B/row" if rows else "-"
                print(f"  {name:<36} {rows0:>7} {size0 / 1024:>8.0f} KiB → {rows:>7} {size / 1024:>8.0f} KiB  {per_row}")
            print(f"\ntotal {time.monotonic() - started:.0f}s", flush=True)
        finally:
            bench.clean_up(children, workdir)


if __name__ == "__main__":
    main()
