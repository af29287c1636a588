"""Benchmark: public host resolution and publishing at 100k themes, through a real server and worker.

    .venv/bin/python bench/publish.py [--sizes 1000,10000,100000] [--tenants 50] [--publishes 200]
                                      [--seconds 5] [--cache-seconds 30]

Creates its own database (BENCH_DB, default theme_config_bench_publish), bootstrapped and migrated like production's,
and fills it set-based (INSERT … SELECT generate_series, as the superuser) with tenants of 20
properties, each property with one host and one theme whose one version is published (themes,
versions, publications, active_publication_id, the host_resolution rows), then prints:

  (c) one publish's read-model update, theme_config.host_resolution_sync() for one theme (the
      trigger work of the flip), as the request role in a tenant transaction, beside the seed views'
      REFRESH MATERIALIZED VIEW CONCURRENTLY (theme_config.refresh_read_models()), at each size;
  (a) requests/s of GET /api/v1/resolve/?host= (1,000 hosts picked at random) against a bare
      Django JsonResponse view in the same gunicorn (bench/settings_bench.py mounts it beside the
      API, same middleware), with the resolve cache off (RESOLVE_CACHE_SECONDS=0) and on, and of
      resolve/ as it was before (a DRF view and serializer, no cache; bench/urls_bench.py);
  (b) publish → resolve answering the new sha256: --publishes publishes over --tenants tenants
      that exist beside the filled themes, each through the use case `version_publish` and a real
      Celery worker (prefork, 2 processes, as scripts/run.sh), while a poller process hits resolve
      for the host every 5 ms; from the job's finished_at (the clock time taken as the flip's
      transaction starts, so the flip's own statements and its commit are inside the figure) and
      from the moment `version_publish` returned (the API's 202), cache off and on.

The server is gunicorn (2 sync workers, DATABASE_CONN_MAX_AGE=60 as in production); the load
generator is wrk when installed (`apt-get install wrk`), else Python processes. Redis: its own
database, BENCH_REDIS_URL (default redis://127.0.0.1:6379/14), which must be empty and is flushed at
the end. The database is dropped at the end. Not a test: it prints figures.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

# Overridable so that two checkouts on one machine can run it at once.
BENCH_DB = os.environ.get("BENCH_DB", "theme_config_bench_publish")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
PER_TENANT = 20  # properties (each with a host and a theme) per filled tenant
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings_bench"
os.environ["TEST_REDIS_URL"] = REDIS_URL
os.environ["FAILPOINTS"] = ""
MEDIA_ROOT = tempfile.mkdtemp(prefix="bench-publish-media-")
os.environ["MEDIA_ROOT"] = MEDIA_ROOT

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import ROOT, fresh_database, percentile, report  # noqa: E402  (bench/ is not a package)

from tests.live_app import free_port, get  # noqa: E402  (a free loopback port; GET on it, as the tests' servers are read)

# --- filling the database ---------------------------------------------------------------------

def _ident(prefix: str, column: str) -> str:
    """SQL for a valid id from an integer: prefix_ + '0' + 21 digits (Crockford, first char 0-7)."""
    return f"'{prefix}_0' || lpad(({column})::text, 21, '0')"


TNT = _ident("tnt", f"(n - 1) / {PER_TENANT}")
FILL_STATEMENTS = [
    f"INSERT INTO tenant_service.tenants (id, slug, name, plan) "
    f"SELECT {_ident('tnt', 't')}, 'fill-' || t, 'Fill tenant ' || t, 'pro' FROM generate_series(%(t0)s::int, %(t1)s::int) t",
    f"INSERT INTO tenant_service.properties (id, tenant_id, name) "
    f"SELECT {_ident('prp', 'n')}, {TNT}, 'Hotel ' || n FROM generate_series(%(n0)s::int, %(n1)s::int) n",
    f"INSERT INTO tenant_service.tenant_hosts (host, tenant_id, property_id, verification_status, verified_at) "
    f"SELECT 'h' || n || '.fill.example', {TNT}, {_ident('prp', 'n')}, 'verified', now() "
    "FROM generate_series(%(n0)s::int, %(n1)s::int) n",
    f"INSERT INTO theme_config.themes (id, tenant_id, property_id, name, scope, default_locale, enabled_locales, "
    f"fallback_chain, active_publication_id, status, created_by, updated_by) "
    f"SELECT {_ident('thm', 'n')}, {TNT}, {_ident('prp', 'n')}, 'Theme ' || n, 'property', 'en', '{{en}}', '{{en}}', "
    f"{_ident('thp', 'n')}, 'active', 'operator:bench', 'operator:bench' FROM generate_series(%(n0)s::int, %(n1)s::int) n",
    f"INSERT INTO theme_config.theme_versions (id, tenant_id, theme_id, ordinal, status, tokens, layout_selections, "
    f"published_bundle_url, published_bundle_sha256, published_bundle_size, published_at, published_by, created_by, "
    f"updated_by) "
    f"SELECT {_ident('thv', 'n')}, {TNT}, {_ident('thm', 'n')}, 1, 'published', "
    f"'{{\"color\": {{}}, \"typography\": {{}}, \"spacing\": {{}}, \"radius\": {{}}, \"shadow\": {{}}, "
    f"\"motion\": {{}}, \"direction\": \"ltr\"}}', '{{}}', "
    f"'/media/bundles/' || {TNT} || '/' || {_ident('thm', 'n')} || '/' || s.sha || '.json', s.sha, 4096, now(), "
    f"'operator:bench', 'operator:bench', 'operator:bench' "
    f"FROM generate_series(%(n0)s::int, %(n1)s::int) n, LATERAL (SELECT encode(sha256(('fill-' || n)::bytea), 'hex') AS sha) s",
    f"INSERT INTO theme_config.theme_publications (id, tenant_id, theme_id, theme_version_id, is_active, bundle_url, "
    f"bundle_sha256, reason, published_at, published_by) "
    f"SELECT {_ident('thp', 'n')}, v.tenant_id, v.theme_id, v.id, true, v.published_bundle_url, "
    f"v.published_bundle_sha256, 'publish', v.published_at, 'operator:bench' "
    f"FROM generate_series(%(n0)s::int, %(n1)s::int) n JOIN theme_config.theme_versions v ON v.id = {_ident('thv', 'n')}",
    # What the triggers would have written for these hosts (the body of host_resolution_sync).
    "INSERT INTO theme_config.host_resolution (host, tenant_id, theme_id, publication_id, theme_version_id, "
    "bundle_url, bundle_sha256, published_at) "
    "SELECT h.host, t.tenant_id, t.id, p.id, p.theme_version_id, p.bundle_url, p.bundle_sha256, p.published_at "
    "FROM generate_series(%(n0)s::int, %(n1)s::int) n JOIN tenant_service.tenant_hosts h ON h.host = 'h' || n || '.fill.example' "
    "JOIN theme_config.themes t ON t.tenant_id = h.tenant_id AND COALESCE(t.property_id, '') = "
    "COALESCE(h.property_id, '') AND t.deleted_at IS NULL "
    "JOIN theme_config.theme_publications p ON p.id = t.active_publication_id",
]


def admin_connect():
    import psycopg
    from django.conf import settings

    from themeconfig.platform import bootstrap

    return psycopg.connect(bootstrap.with_database(settings.ADMIN_DATABASE_URL, BENCH_DB), autocommit=True)


def fill(start: int, stop: int) -> None:
    """Themes start+1 … stop (multiples of PER_TENANT), with their tenants, properties, hosts,
    published versions, active publications and read-model rows, in one transaction.

    Triggers (the per-row read-model sync, deferred FK checks) are off for the load only
    (session_replication_role = replica): every row is written valid and the read model is filled
    by the same join the trigger runs."""
    started = time.monotonic()
    params = {"t0": start // PER_TENANT, "t1": stop // PER_TENANT - 1, "n0": start + 1, "n1": stop}
    with admin_connect() as conn:
        with conn.transaction():
            conn.execute("SET LOCAL session_replication_role = replica")
            for statement in FILL_STATEMENTS:
                conn.execute(statement, params)
        for table in ("tenant_service.tenants", "tenant_service.properties", "tenant_service.tenant_hosts",
                      "theme_config.themes", "theme_config.theme_versions", "theme_config.theme_publications",
                      "theme_config.host_resolution"):
            conn.execute(f"ANALYZE {table}")
        rows = conn.execute("SELECT count(*) FROM theme_config.host_resolution WHERE host LIKE '%%.fill.example'")
        resolvable = rows.fetchone()[0]
    assert resolvable == stop, (resolvable, stop)
    print(f"  filled themes {start + 1:,}…{stop:,} in {time.monotonic() - started:.1f}s "
          f"({resolvable:,} hosts resolvable)", flush=True)


def filled_ids(n: int) -> tuple[str, str, str]:
    """(tenant id, theme id, host) of filled theme n."""
    return f"tnt_0{(n - 1) // PER_TENANT:021d}", f"thm_0{n:021d}", f"h{n}.fill.example"


# --- (c) read-model update vs refresh ---------------------------------------------------------

def measure_read_models(size: int, samples: int, refreshes: int) -> tuple[list[float], list[float]]:
    from django.db import connection, connections

    from themeconfig.platform.service_db import service_context
    from themeconfig.platform.tenant_context import tenant_context

    rng = random.Random(size)
    sync = []
    for _ in range(samples):
        tenant_id, theme_id, _ = filled_ids(rng.randint(1, size))
        with tenant_context(tenant_id), connection.cursor() as cursor:
            started = time.perf_counter()
            cursor.execute("SELECT theme_config.host_resolution_sync(%s, NULL)", [theme_id])
            sync.append(time.perf_counter() - started)
    refresh = []
    for _ in range(refreshes):
        with service_context() as alias, connections[alias].cursor() as cursor:
            started = time.perf_counter()
            cursor.execute("SELECT theme_config.refresh_read_models()")
            refresh.append(time.perf_counter() - started)
    return sync, refresh


# --- processes: gunicorn, the Celery worker ----------------------------------------------------

def _database_url(alias: str) -> str:
    from django.conf import settings

    db = settings.DATABASES[alias]
    credentials = quote(db["USER"], safe="")
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = quote(db.get("HOST") or "127.0.0.1", safe="")
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{credentials}@{host}{port}/{BENCH_DB}"


def child_env(cache_seconds: int, **extra: str) -> dict:
    from django.conf import settings

    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("DJANGO_", "DATABASE_", "PYTEST", "MIGRATOR_", "SERVICE_", "READONLY_", "PREVIEW_"))}
    env.update(DJANGO_SETTINGS_MODULE="bench.settings_bench", TEST_REDIS_URL=REDIS_URL, MEDIA_ROOT=MEDIA_ROOT,
               FAILPOINTS="", RESOLVE_CACHE_SECONDS=str(cache_seconds), DATABASE_CONN_MAX_AGE="60",
               DATABASE_URL=_database_url("default"), MIGRATOR_DATABASE_URL=_database_url("migrator"),
               SERVICE_DATABASE_URL=_database_url("service"), **extra)
    if "preview" in settings.DATABASES:
        env["PREVIEW_DATABASE_URL"] = _database_url("preview")
    return env


class Child:
    """A process group we started, its log in a temporary file; stopped with SIGTERM to that group."""

    def __init__(self, name: str, argv: list[str], env: dict):
        self.name = name
        self.log = Path(tempfile.mkstemp(prefix=f"bench-publish-{name}-", suffix=".log")[1])
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                            start_new_session=True)

    def alive(self) -> bool:
        return self.process.poll() is None

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]

    def stop(self) -> None:
        if self.alive():
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.unlink(missing_ok=True)


def start_server(cache_seconds: int, *, workers: int = 2, **extra: str) -> tuple[Child, int]:
    port = free_port()
    server = Child("gunicorn", [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind",
                                f"127.0.0.1:{port}", "--workers", str(workers), "--timeout", "60",
                                "--graceful-timeout", "5"],
                   child_env(cache_seconds, **extra))
    deadline = time.monotonic() + 60
    while True:
        assert server.alive(), f"gunicorn exited:\n{server.tail()}"
        assert time.monotonic() < deadline, f"gunicorn did not answer within 60 s:\n{server.tail()}"
        try:
            if get(port, "/api/v1/health/")[0] == 200:
                return server, port
        except OSError:
            pass
        time.sleep(0.2)


def start_worker(cache_seconds: int, *, queue: str = "theme-config", concurrency: int = 2) -> Child:
    """A prefork worker on one queue (the publish worker's, or the views' refresh queue), as scripts/run.sh runs them."""
    from config.celery import app

    nodename = f"bench-{queue}-{os.getpid()}-{cache_seconds}@{os.uname().nodename}"
    worker = Child("worker", [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "prefork",
                              "--concurrency", str(concurrency), "--without-gossip", "--without-mingle",
                              "--loglevel", "WARNING", "-n", nodename, "-Q", queue], child_env(cache_seconds))
    deadline = time.monotonic() + 60
    while not app.control.ping(destination=[nodename], timeout=0.5):
        assert worker.alive(), f"celery worker exited:\n{worker.tail()}"
        assert time.monotonic() < deadline, f"celery worker did not answer within 60 s:\n{worker.tail()}"
    return worker


# --- (a) requests/s ---------------------------------------------------------------------------

WRK_SCRIPT = """
local hosts = {%s}
math.randomseed(%d)
request = function()
  return wrk.format("GET", "%s" .. hosts[math.random(#hosts)])
end
"""


def _python_load(port: int, path: str, hosts: list[str], seconds: float, seed: int, queue) -> None:
    rng = random.Random(seed)
    count = bad = 0
    latencies = []
    deadline = time.perf_counter() + seconds
    while (now := time.perf_counter()) < deadline:
        status, _ = get(port, path + rng.choice(hosts))
        latencies.append(time.perf_counter() - now)
        count += 1
        bad += status != 200
    queue.put((count, bad, latencies))


def load(port: int, path: str, hosts: list[str], seconds: float, connections: int, workdir: Path) -> dict:
    """Requests/s (and latency p50/p99) of GET path+host over `seconds`, hosts picked at random."""
    if shutil.which("wrk"):
        script = workdir / "load.lua"
        script.write_text(WRK_SCRIPT % (", ".join(json.dumps(h) for h in hosts), len(hosts), path))
        out = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{seconds:g}s", "--latency", "-s", str(script),
                              f"http://127.0.0.1:{port}"], capture_output=True, text=True, check=True).stdout
        rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
        bad = int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)) else 0
        errors = re.search(r"Socket errors:.*", out)
        if errors:
            print(f"    wrk: {errors.group(0)}", flush=True)

        def quantile(q: str) -> float:
            value, unit = re.search(rf"^\s+{q}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M).groups()
            return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

        return {"rate": rate, "bad": bad, "p50": quantile("50"), "p99": quantile("99"), "requests": None}
    queue = multiprocessing.get_context("fork").Queue()
    procs = [multiprocessing.get_context("fork").Process(target=_python_load, args=(port, path, hosts, seconds, i, queue))
             for i in range(connections)]
    for proc in procs:
        proc.start()
    results = [queue.get() for _ in procs]
    for proc in procs:
        proc.join()
    latencies = [lat * 1000 for r in results for lat in r[2]]
    return {"rate": sum(r[0] for r in results) / seconds, "bad": sum(r[1] for r in results),
            "p50": statistics.median(latencies), "p99": percentile(latencies, 99), "requests": len(latencies)}


# --- alternated loads on gunicorn servers, with their workers' CPU (bench/resolve_throttle.py,
# metrics_overhead.py, rollout.py) ---------------------------------------------------------------

TICKS = os.sysconf("SC_CLK_TCK")


def workers_cpu_seconds(master_pid: int) -> float:
    """CPU time (user + system) used so far by the gunicorn master's worker processes.

    Requests per CPU second is the figure the neighbours' load on a shared machine disturbs least."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended meanwhile
            continue
        if int(fields[1]) == master_pid:  # ppid
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICKS


@dataclass(frozen=True)
class Load:
    """One kind of load: a server (its port and its gunicorn master's pid), the path asked for (a `{}`
    in it takes the round's number) and the hosts appended to it."""

    port: int
    master: int
    path: str
    hosts: list[str]


def alternated_runs(loads: dict[str, Load], *, rounds: int, seconds: float, connections: int,
                    workdir: Path) -> dict[str, list[dict]]:
    """Each load warmed up (connections, imports, the resolve cache), then run `rounds` times,
    alternated so that a noisy neighbour hits every kind alike; each run with the CPU seconds its
    server's workers spent (`cpu`) and its request count (`requests`)."""
    for each in loads.values():
        load(each.port, each.path.format(0), each.hosts, 2, connections, workdir)
    print(f"load: {len(loads)} kinds × {rounds} rounds × {seconds:g}s, {connections} connections …", flush=True)
    runs: dict[str, list[dict]] = {name: [] for name in loads}
    for round_ in range(rounds):
        for name, each in loads.items():
            cpu = workers_cpu_seconds(each.master)
            run = load(each.port, each.path.format(round_), each.hosts, seconds, connections, workdir)
            run["cpu"] = workers_cpu_seconds(each.master) - cpu
            run["requests"] = run["rate"] * seconds
            runs[name].append(run)
    return runs


def paired(runs: dict[str, list[dict]], top: str, bottom: str) -> float:
    """The median over rounds of top ÷ bottom measured back to back (neighbours' load varies a lot)."""
    return statistics.median(a["rate"] / b["rate"] for a, b in zip(runs[top], runs[bottom], strict=True))


def print_runs(runs: dict[str, list[dict]], *, label: str = "{:<22}") -> dict[str, float]:
    """One line per kind: median req/s, requests per worker CPU second, each run's rate, p50 and any
    non-2xx answers; returns the requests per worker CPU second of each kind."""
    per_cpu = {name: sum(r["requests"] for r in rs) / max(sum(r["cpu"] for r in rs), 1e-9)
               for name, rs in runs.items()}
    for name, rs in runs.items():
        rate = statistics.median(r["rate"] for r in rs)
        bad = sum(r["bad"] for r in rs)
        each = ", ".join(f"{r['rate']:.0f}" for r in rs)
        print(f"{label.format(name)} {rate:8.0f} req/s  {per_cpu[name]:7.0f} req per worker CPU second  "
              f"(runs: {each}; p50 {statistics.median(r['p50'] for r in rs):.2f} ms)"
              + (f"  non-2xx: {bad}" if bad else ""))
    return per_cpu


def measure_throughput(port: int, hosts: list[str], seconds: float, rounds: int, connections: int,
                       workdir: Path, *, with_drf: bool) -> dict[str, dict]:
    paths = {"bare": "/api/v1/bench-bare/?host=", "resolve": "/api/v1/resolve/?host="}
    if with_drf:  # resolve/ as it was before the cache and the plain GET path (bench/urls_bench.py)
        paths["drf"] = "/api/v1/bench-drf-resolve/?host="
    for path in paths.values():  # warm-up: worker connections, imports, the cache when it is on
        load(port, path, hosts, 2, connections, workdir)
    runs: dict[str, list[dict]] = {name: [] for name in paths}
    for _ in range(rounds):  # alternated, so a noisy neighbour hits both alike
        for name, path in paths.items():
            runs[name].append(load(port, path, hosts, seconds, connections, workdir))
    return {name: {"rate": statistics.mean(r["rate"] for r in rs), "bad": sum(r["bad"] for r in rs),
                   "p50": statistics.median(r["p50"] for r in rs), "p99": max(r["p99"] for r in rs)}
            for name, rs in runs.items()}


# --- (b) publish → resolve ---------------------------------------------------------------------

def poller(conn, port: int, interval: float) -> None:
    """Watches one host at a time: answers (sha256, time first seen, polls) once resolve shows a new one."""
    while (order := conn.recv()) is not None:
        host, old_sha, timeout = order
        polls, deadline = 0, time.time() + timeout
        answer = (None, time.time(), 0)
        while time.time() < deadline:
            status, body = get(port, f"/api/v1/resolve/?host={host}")
            seen = time.time()
            polls += 1
            if status == 200 and (sha := json.loads(body)["bundle_sha256"]) != old_sha:
                answer = (sha, seen, polls)
                break
            time.sleep(interval)
        conn.send(answer)


class PublishingTenant:
    def __init__(self, index: int):
        from themeconfig import services
        from themeconfig.platform.principal import Principal

        self.host = f"pub{index}.bench.example"
        tenant = services.tenant_create(principal=Principal.operator("bench"), slug=f"bench-pub-{index}",
                                        name=f"Bench publisher {index}", hosts=[self.host])
        self.tenant_id = tenant.id
        self.admin = Principal.for_user(tenant_id=tenant.id, user_id=1, role="admin")
        self.theme_id = services.theme_create(principal=self.admin, name=f"Publisher {index}").pk
        self.sha: str | None = None
        self.count = 0

    def new_version(self) -> str:
        from themeconfig import services

        self.count += 1
        version = services.version_create(principal=self.admin, theme_id=self.theme_id)
        services.locale_pack_put(principal=self.admin, version_id=version.pk, locale="en",
                                 entries={"search.title": f"Find your room ({self.count})"})
        return version.pk

    def theme_version(self) -> int:
        from themeconfig.models import Theme
        from themeconfig.platform.tenant_context import tenant_context

        with tenant_context(self.tenant_id):
            return Theme.objects.get(pk=self.theme_id).version

    def publish(self, version_id: str):
        from publishing.services import publish

        return publish.version_publish(principal=self.admin, version_id=version_id,
                                       expected_theme_version=self.theme_version())

    def job(self, job_id: str):
        from publishing.models import PublishJob
        from themeconfig.platform.tenant_context import tenant_context

        with tenant_context(self.tenant_id):
            return PublishJob.objects.get(pk=job_id)


def wait_for_jobs(tenants_jobs, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    for tenant, job_id in tenants_jobs:
        while (job := tenant.job(job_id)).status not in ("succeeded", "failed"):
            assert time.monotonic() < deadline, f"job {job_id} did not finish: {job.status}"
            time.sleep(0.1)
        assert job.status == "succeeded", (job.error_code, job.error_message)
        tenant.sha = job.bundle_sha256


def measure_publishes(port: int, tenants: list[PublishingTenant], publishes: int) -> dict:
    from django.db import connections

    for connection in connections.all():
        connection.close()  # nothing of ours crosses the fork
    ours, theirs = multiprocessing.get_context("fork").Pipe()
    watcher = multiprocessing.get_context("fork").Process(target=poller, args=(theirs, port, 0.005), daemon=True)
    watcher.start()
    from_commit, from_accepted, polls = [], [], 0
    started = time.monotonic()
    try:
        for index in range(publishes):
            tenant = tenants[index % len(tenants)]
            version_id = tenant.new_version()
            ours.send((tenant.host, tenant.sha, 30))
            job = tenant.publish(version_id)
            accepted = time.time()
            sha, seen, count = ours.recv()
            done = tenant.job(job.pk)
            assert done.status == "succeeded", (done.status, done.error_code, done.error_message)
            assert sha == done.bundle_sha256, f"resolve showed {sha}, the job published {done.bundle_sha256}"
            tenant.sha = sha
            from_commit.append(seen - done.finished_at.timestamp())
            from_accepted.append(seen - accepted)
            polls += count
            if (index + 1) % 50 == 0:
                print(f"    {index + 1}/{publishes} publishes ({time.monotonic() - started:.0f}s)", flush=True)
    finally:
        ours.send(None)
        watcher.join(timeout=10)
    return {"commit": from_commit, "accepted": from_accepted, "polls": polls,
            "seconds": time.monotonic() - started}


# --- the run -----------------------------------------------------------------------------------

def check_redis_is_ours() -> None:
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    if client.dbsize():
        sys.exit(f"{REDIS_URL} is not empty: another process uses it. Set BENCH_REDIS_URL to an empty database.")


def flush_redis() -> None:
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000,100000", help="theme counts for (c); the last is kept for (a), (b)")
    parser.add_argument("--tenants", type=int, default=50, help="tenants that publish in (b)")
    parser.add_argument("--publishes", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=5, help="length of each load run in (a)")
    parser.add_argument("--rounds", type=int, default=3, help="alternated bare/resolve load runs in (a)")
    parser.add_argument("--connections", type=int, default=4, help="concurrent connections of the load generator")
    parser.add_argument("--cache-seconds", type=int, default=30, help="RESOLVE_CACHE_SECONDS of the cached runs")
    parser.add_argument("--sync-samples", type=int, default=300)
    parser.add_argument("--refreshes", type=int, default=3)
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    assert all(size % PER_TENANT == 0 for size in sizes), f"sizes must be multiples of {PER_TENANT}"

    check_redis_is_ours()
    started = time.monotonic()
    print(f"creating {BENCH_DB} (bootstrap_db, migrate) …", flush=True)
    fresh_database(BENCH_DB)

    children: list[Child] = []
    workdir = Path(tempfile.mkdtemp(prefix="bench-publish-"))
    try:
        # (c) --------------------------------------------------------------------------------
        figures_c = []
        done = 0
        for size in sizes:
            print(f"filling to {size:,} themes …", flush=True)
            fill(done, size)
            done = size
            print(f"  measuring the read-model update and the refresh at {size:,} themes …", flush=True)
            figures_c.append((size, *measure_read_models(size, args.sync_samples, args.refreshes)))
        largest = sizes[-1]

        print(f"creating {args.tenants} publishing tenants (theme, host) …", flush=True)
        tenants = [PublishingTenant(i) for i in range(args.tenants)]
        rng = random.Random(1)
        hosts = [filled_ids(rng.randint(1, largest))[2] for _ in range(1000 - len(tenants))] + [t.host for t in tenants]

        results: dict[int, dict] = {}
        for cache_seconds in (0, args.cache_seconds):
            label = f"RESOLVE_CACHE_SECONDS={cache_seconds}"
            print(f"starting a Celery worker and gunicorn with {label} …", flush=True)
            worker = start_worker(cache_seconds)
            children.append(worker)
            if tenants[0].sha is None:
                print("  first publish of every publishing tenant (through the worker) …", flush=True)
                jobs = [(tenant, tenant.publish(tenant.new_version()).pk) for tenant in tenants]
                wait_for_jobs(jobs)
            server, port = start_server(cache_seconds)
            children.append(server)
            status, body = get(port, f"/api/v1/resolve/?host={tenants[0].host}")
            assert status == 200 and json.loads(body)["bundle_sha256"] == tenants[0].sha, (status, body[:300])
            before = get(port, f"/api/v1/bench-drf-resolve/?host={tenants[0].host}")
            assert before == (200, body) or json.loads(before[1]) == json.loads(body), (before, body)  # same answer
            print(f"  (a) load: bare view vs resolve, {args.rounds}×{args.seconds:g}s each, "
                  f"{args.connections} connections …", flush=True)
            throughput = measure_throughput(port, hosts, args.seconds, args.rounds, args.connections, workdir,
                                            with_drf=cache_seconds == 0)
            print(f"  (b) {args.publishes} publishes over {len(tenants)} tenants while a poller reads resolve …",
                  flush=True)
            publishes = measure_publishes(port, tenants, args.publishes)
            results[cache_seconds] = {"throughput": throughput, "publishes": publishes}
            server.stop()
            worker.stop()
            children.clear()

        # figures ----------------------------------------------------------------------------
        generator = "wrk (1 thread)" if shutil.which("wrk") else "Python processes"
        print(f"\n== bench/publish.py: {largest:,} filled themes (+{args.tenants} publishing tenants), "
              f"PostgreSQL as theme_config_app (RLS on), {os.cpu_count()} cores")
        print("\n(c) one publish's read-model update vs the seed views' refresh")
        for size, sync, refresh in figures_c:
            report(f"host_resolution_sync(one theme) @ {size:,}", sync)
            report(f"refresh_read_models() @ {size:,}", refresh)
        print(f"\n(a) GET /api/v1/resolve/?host= vs a bare JsonResponse view, same gunicorn (2 sync workers), "
              f"{generator}, {args.connections} connections, 1,000 hosts at random")
        for cache_seconds, result in results.items():
            t = result["throughput"]
            if "drf" in t:
                print(f"before (DRF view, no cache)  bare {t['bare']['rate']:7.0f} req/s  resolve "
                      f"{t['drf']['rate']:7.0f} req/s (p50 {t['drf']['p50']:.2f} ms, p99 {t['drf']['p99']:.2f} ms)  "
                      f"ratio {t['drf']['rate'] / t['bare']['rate']:.2f}")
            ratio = t["resolve"]["rate"] / t["bare"]["rate"]
            target = 0.9 if cache_seconds else 0.6
            print(f"RESOLVE_CACHE_SECONDS={cache_seconds:<3} bare {t['bare']['rate']:7.0f} req/s "
                  f"(p50 {t['bare']['p50']:.2f} ms)  resolve {t['resolve']['rate']:7.0f} req/s "
                  f"(p50 {t['resolve']['p50']:.2f} ms, p99 {t['resolve']['p99']:.2f} ms)  ratio {ratio:.2f}  "
                  f"target ≥{target}: {'OK' if ratio >= target else 'MISSED'}"
                  + (f"  non-2xx: {t['bare']['bad'] + t['resolve']['bad']}" if t['bare']['bad'] + t['resolve']['bad']
                     else ""))
        print(f"\n(b) publish → resolve shows the new sha256 ({args.publishes} publishes, {args.tenants} tenants, "
              f"version_publish + Celery worker (prefork 2), poller every 5 ms)")
        for cache_seconds, result in results.items():
            p = result["publishes"]
            report(f"from the flip (finished_at), cache {cache_seconds}s", p["commit"], 1000)
            report(f"from version_publish's return, cache {cache_seconds}s", p["accepted"], 5000)
            print(f"{'':44} {args.publishes / p['seconds']:.1f} publishes/s sequentially, {p['polls']} resolve polls",
                  flush=True)
        print(f"\ntotal {time.monotonic() - started:.0f}s", flush=True)
    finally:
        clean_up(children, workdir)


def clean_up(children: list[Child], workdir: Path) -> None:
    """Stops the processes, drops the database, empties the Redis database, removes the files."""
    import psycopg
    from django.conf import settings
    from django.db import connections

    for child in children:
        child.stop()
    for connection in connections.all():
        connection.close()
    with psycopg.connect(settings.ADMIN_DATABASE_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
    flush_redis()
    shutil.rmtree(workdir, ignore_errors=True)
    shutil.rmtree(MEDIA_ROOT, ignore_errors=True)


if __name__ == "__main__":
    main()
