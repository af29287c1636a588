"""Benchmark: what resolve/'s per-address rate limit costs, through a real server.

    .venv/bin/python bench/resolve_throttle.py [--themes 1000] [--seconds 3] [--rounds 10] [--connections 4]

Builds its own database (BENCH_DB, default theme_config_bench_throttle) filled as
bench/publish.py fills it, then starts two gunicorns (2 sync workers each, the resolve cache on,
bench/settings_bench.py): one with THROTTLE_RESOLVE_RATE=off, one with the limit on but above what
any run sends (every request counted, none refused). Load runs alternate between the two servers'
bare JsonResponse view and resolve/ (1,000 hosts at random, all from one address: the busiest
caller the limit can have). Prints requests/s of each (median) and requests per CPU second of the
server's workers (the figure a shared machine's other load disturbs least), each server's resolve ÷
bare ratio and the throttled resolve ÷ the unthrottled one (medians of ratios of runs made back to
back, and of requests per CPU second). Redis: BENCH_REDIS_URL, which must be empty and is flushed
at the end; the database is dropped at the end. Not a test: it prints figures.
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

os.environ.setdefault("BENCH_DB", "theme_config_bench_throttle")
sys.path.insert(0, str(Path(__file__).resolve().parent))
import publish as bench  # noqa: E402  (bench/ is not a package; it sets the environment up)

ON_RATE = "100000000/min"
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--themes", type=int, default=1000, help="filled themes (hosts), a multiple of 20")
    parser.add_argument("--seconds", type=float, default=3, help="length of each load run")
    parser.add_argument("--rounds", type=int, default=10, help="alternated runs of each of the four loads")
    parser.add_argument("--connections", type=int, default=4)
    args = parser.parse_args()

    bench.check_redis_is_ours()
    started = time.monotonic()
    print(f"creating {bench.BENCH_DB} and filling {args.themes:,} themes …", flush=True)
    bench.fresh_database(bench.BENCH_DB)
    servers = []
    workdir = Path(tempfile.mkdtemp(prefix="bench-throttle-"))
    try:
        bench.fill(0, args.themes)
        rng = random.Random(1)
        hosts = [bench.filled_ids(rng.randint(1, args.themes))[2] for _ in range(1000)]
        ports, masters = {}, {}
        for name, rate in (("off", "off"), ("on", ON_RATE)):
            server, port = bench.start_server(30, THROTTLE_RESOLVE_RATE=rate)
            servers.append(server)
            ports[name] = port
            masters[port] = server.process.pid
            status, _ = bench.get(port, f"/api/v1/resolve/?host={hosts[0]}")
            assert status == 200, status
        loads = {f"{kind} throttle {name}": (port, path) for name, port in ports.items()
                 for kind, path in (("bare", "/api/v1/bench-bare/?host="), ("resolve", "/api/v1/resolve/?host="))}
        for port, path in loads.values():  # warm-up: connections, imports, the resolve cache
            bench.load(port, path, hosts, 2, args.connections, workdir)
        print(f"load: {len(loads)} kinds × {args.rounds} rounds × {args.seconds:g}s, {args.connections} connections …",
              flush=True)
        runs: dict[str, list[dict]] = {name: [] for name in loads}
        for _ in range(args.rounds):  # alternated, so a noisy neighbour hits every kind alike
            for name, (port, path) in loads.items():
                cpu = workers_cpu_seconds(masters[port])
                run = bench.load(port, path, hosts, args.seconds, args.connections, workdir)
                run["cpu"] = workers_cpu_seconds(masters[port]) - cpu
                run["requests"] = run["rate"] * args.seconds
                runs[name].append(run)
        rate = {name: statistics.median(r["rate"] for r in rs) for name, rs in runs.items()}
        bad = {name: sum(r["bad"] for r in rs) for name, rs in runs.items()}

        def paired(top: str, bottom: str) -> float:
            """The median over rounds of top ÷ bottom measured back to back (neighbours' load varies a lot)."""
            return statistics.median(a["rate"] / b["rate"] for a, b in zip(runs[top], runs[bottom], strict=True))

        generator = "wrk (1 thread)" if shutil.which("wrk") else "Python processes"
        print(f"\n== bench/resolve_throttle.py: {args.themes:,} hosts, resolve cache on, gunicorn (2 sync workers) "
              f"per server, {generator}, {args.connections} connections from one address, {os.cpu_count()} cores, "
              f"{args.rounds} rounds × {args.seconds:g}s (medians)")
        per_cpu = {name: sum(r["requests"] for r in rs) / sum(r["cpu"] for r in rs) for name, rs in runs.items()}
        for name, rs in runs.items():
            each = ", ".join(f"{r['rate']:.0f}" for r in rs)
            print(f"{name:<22} {rate[name]:8.0f} req/s  {per_cpu[name]:7.0f} req per worker CPU second  (runs: {each}; "
                  f"p50 {statistics.median(r['p50'] for r in rs):.2f} ms)" + (f"  non-2xx: {bad[name]}" if bad[name] else ""))
        ratio_off = paired("resolve throttle off", "bare throttle off")
        ratio_on = paired("resolve throttle on", "bare throttle on")
        kept = paired("resolve throttle on", "resolve throttle off")
        print(f"resolve ÷ bare: throttle off {ratio_off:.2f}, throttle on {ratio_on:.2f} "
              f"(on ÷ off {ratio_on / ratio_off:.3f})")
        print(f"resolve req/s, throttle on ÷ off: {kept:.3f}  target ≥0.95: {'OK' if kept >= 0.95 else 'MISSED'}")
        cpu_kept = per_cpu["resolve throttle on"] / per_cpu["resolve throttle off"]
        print(f"resolve req per worker CPU second, throttle on ÷ off: {cpu_kept:.3f}  "
              f"target ≥0.95: {'OK' if cpu_kept >= 0.95 else 'MISSED'}  (bare on ÷ off "
              f"{per_cpu['bare throttle on'] / per_cpu['bare throttle off']:.3f})")
        print(f"\ntotal {time.monotonic() - started:.0f}s", flush=True)
    finally:
        bench.clean_up(servers, workdir)

if __name__ == "__main__":
    main()
