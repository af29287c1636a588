"""Benchmark: what the Prometheus metrics cost resolve/, through a real server.

    .venv/bin/python bench/metrics_overhead.py [--themes 1000] [--seconds 3] [--rounds 10] [--connections 4]

Builds its own database (BENCH_DB, default theme_config_bench_metrics) filled as bench/publish.py
fills it, then starts two gunicorns (2 sync workers each, the resolve cache on,
bench/settings_bench.py): one with METRICS_ENABLED=false and no PROMETHEUS_MULTIPROC_DIR (no request
timed, counters in memory), one with metrics on as in production (the request middleware, every
series written to the multiprocess directory's mmap'd files). Load runs alternate between the two
servers' bare JsonResponse view and resolve/ (1,000 hosts at random). Prints requests/s of each
(median) and requests per CPU second of the server's workers (the figure a shared machine's other
load disturbs least), and metrics on ÷ off for resolve (medians of ratios of runs made back to back,
and of requests per CPU second). Redis: BENCH_REDIS_URL, which must be empty and is flushed at the
end; the database is dropped at the end. Not a test: it prints figures.
"""
from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("BENCH_DB", "theme_config_bench_metrics")
sys.path.insert(0, str(Path(__file__).resolve().parent))
import publish as bench  # noqa: E402  (bench/ is not a package; it sets the environment up)


def fill_outbox(count: int) -> None:
    """`count` relayed publish events over the last 7 days (what retention keeps), one pending."""
    with bench.admin_connect() as conn, conn.transaction():
        conn.execute(
            "INSERT INTO theme_config.outbox (event_id, tenant_id, event_type, topic, partition_key, envelope, "
            "attributes, created_at, published_at) "
            "SELECT lpad(i::text, 26, '0'), 'tnt_0' || lpad((i %% 50)::text, 21, '0'), 'theme.published.v1', "
            "'theme-config.themes', 'p' || i, '{}', '{}', now() - (i * interval '7 days' / %(n)s), "
            "now() - (i * interval '7 days' / %(n)s) + interval '1 second' FROM generate_series(1, %(n)s) i",
            {"n": count})
        conn.execute("UPDATE theme_config.outbox SET published_at = NULL WHERE id = (SELECT max(id) FROM theme_config.outbox)")
        # The views' last refresh: started a minute ago, so the events since then are what they lack.
        conn.execute("INSERT INTO theme_config.read_model_refresh_state (id, requested_at, started_at, finished_at, "
                     "last_duration_ms) VALUES (1, now() - interval '61 seconds', now() - interval '60 seconds', "
                     "now() - interval '57 seconds', 3000) ON CONFLICT (id) DO UPDATE SET started_at = "
                     "EXCLUDED.started_at, finished_at = EXCLUDED.finished_at, last_duration_ms = EXCLUDED.last_duration_ms")
        conn.execute("ANALYZE theme_config.outbox")
    print(f"  outbox: {count:,} events over 7 days, the views last refreshed a minute ago", flush=True)


def scrape_costs(scrapes: int, themes: int, outbox: int) -> None:
    """Times each scrape-time gauge's query through a real `serve_metrics`, `scrapes` times (medians)."""
    import urllib.request

    from prometheus_client.parser import text_string_to_metric_families

    port = bench.free_port()
    exporter = bench.Child("metrics", [sys.executable, "manage.py", "serve_metrics", "--port", str(port)],
                           bench.child_env(30, METRICS_TOKEN="bench"))
    try:
        per_gauge: dict[str, list[float]] = {}
        totals = []
        deadline = time.monotonic() + 60
        while len(totals) < scrapes:
            assert exporter.alive(), exporter.tail()
            began = time.perf_counter()
            try:
                request = urllib.request.Request(f"http://127.0.0.1:{port}/metrics",
                                                 headers={"Authorization": "Bearer bench"})
                with urllib.request.urlopen(request, timeout=30) as response:
                    text = response.read().decode()
            except OSError:
                assert time.monotonic() < deadline, exporter.tail()
                time.sleep(0.2)
                continue
            totals.append((time.perf_counter() - began) * 1000)
            for family in text_string_to_metric_families(text):
                for sample in family.samples:
                    if sample.name == "theme_config_scrape_query_duration_seconds":
                        per_gauge.setdefault(sample.labels["gauge"], []).append(sample.value * 1000)
                    if sample.name == "theme_config_scrape_query_success" and sample.value != 1:
                        print(f"  scrape-time gauge failed: {sample.labels['gauge']}")
        print(f"\n== scrape cost ({themes:,} themes and hosts, {outbox:,} outbox events; serve_metrics, "
              f"{scrapes} scrapes, medians): whole scrape {statistics.median(totals):.1f} ms")
        for gauge, values in sorted(per_gauge.items()):
            print(f"  {gauge:<58} {statistics.median(values):7.2f} ms (max {max(values):.2f})")
    finally:
        exporter.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--themes", type=int, default=1000, help="filled themes (hosts), a multiple of 20")
    parser.add_argument("--seconds", type=float, default=3, help="length of each load run")
    parser.add_argument("--rounds", type=int, default=10, help="alternated runs of each of the four loads")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--outbox", type=int, default=100_000,
                        help="relayed outbox events spread over 7 days (retention), for the scrape-time queries")
    parser.add_argument("--scrapes", type=int, default=10, help="scrapes of serve_metrics timed")
    parser.add_argument("--scrape-only", action="store_true", help="time the scrapes only, no request load")
    args = parser.parse_args()

    bench.check_redis_is_ours()
    started = time.monotonic()
    print(f"creating {bench.BENCH_DB} and filling {args.themes:,} themes …", flush=True)
    bench.fresh_database(bench.BENCH_DB)
    servers = []
    workdir = Path(tempfile.mkdtemp(prefix="bench-metrics-"))
    try:
        bench.fill(0, args.themes)
        fill_outbox(args.outbox)
        rng = random.Random(1)
        hosts = [bench.filled_ids(rng.randint(1, args.themes))[2] for _ in range(1000)]
        ports = {}
        (workdir / "metrics").mkdir()
        for name, extra in (("off", {"METRICS_ENABLED": "false"}),
                            ("on", {"METRICS_ENABLED": "true", "PROMETHEUS_MULTIPROC_DIR": str(workdir / "metrics")})):
            server, port = bench.start_server(30, **extra)
            servers.append(server)
            ports[name] = port, server.process.pid
            status, _ = bench.get(port, f"/api/v1/resolve/?host={hosts[0]}")
            assert status == 200, status
        loads = {f"{kind} metrics {name}": bench.Load(port, master, path, hosts) for name, (port, master) in ports.items()
                 for kind, path in (("bare", "/api/v1/bench-bare/?host="), ("resolve", "/api/v1/resolve/?host="))}
        scrape_costs(args.scrapes, args.themes, args.outbox)
        if args.scrape_only:
            return
        runs = bench.alternated_runs(loads, rounds=args.rounds, seconds=args.seconds, connections=args.connections,
                                     workdir=workdir)
        generator = "wrk (1 thread)" if shutil.which("wrk") else "Python processes"
        print(f"\n== bench/metrics_overhead.py: {args.themes:,} hosts, resolve cache on, gunicorn (2 sync workers) "
              f"per server, {generator}, {args.connections} connections, {os.cpu_count()} cores, "
              f"{args.rounds} rounds × {args.seconds:g}s (medians)")
        per_cpu = bench.print_runs(runs)
        kept = bench.paired(runs, "resolve metrics on", "resolve metrics off")
        bare_kept = bench.paired(runs, "bare metrics on", "bare metrics off")
        print(f"req/s, metrics on ÷ off: resolve {kept:.3f}, bare {bare_kept:.3f}  "
              f"target ≥0.95 for resolve: {'OK' if kept >= 0.95 else 'MISSED'}")
        cpu_kept = per_cpu["resolve metrics on"] / per_cpu["resolve metrics off"]
        print(f"resolve req per worker CPU second, metrics on ÷ off: {cpu_kept:.3f}  "
              f"target ≥0.95: {'OK' if cpu_kept >= 0.95 else 'MISSED'}  (bare on ÷ off "
              f"{per_cpu['bare metrics on'] / per_cpu['bare metrics off']:.3f})")
        files = sorted(p.name for p in (workdir / "metrics").glob("*.db"))
        print(f"multiprocess files written by the 'on' server: {', '.join(files)}")
        print(f"\ntotal {time.monotonic() - started:.0f}s", flush=True)
    finally:
        bench.clean_up(servers, workdir)

if __name__ == "__main__":
    main()
