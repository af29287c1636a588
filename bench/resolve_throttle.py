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
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("BENCH_DB", "theme_config_bench_throttle")
sys.path.insert(0, str(Path(__file__).resolve().parent))
import publish as bench  # noqa: E402  (bench/ is not a package; it sets the environment up)

ON_RATE = "100000000/min"
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
        ports = {}
        for name, rate in (("off", "off"), ("on", ON_RATE)):
            server, port = bench.start_server(30, THROTTLE_RESOLVE_RATE=rate)
            servers.append(server)
            ports[name] = port, server.process.pid
            status, _ = bench.get(port, f"/api/v1/resolve/?host={hosts[0]}")
            assert status == 200, status
        loads = {f"{kind} throttle {name}": bench.Load(port, master, path, hosts) for name, (port, master) in ports.items()
                 for kind, path in (("bare", "/api/v1/bench-bare/?host="), ("resolve", "/api/v1/resolve/?host="))}
        runs = bench.alternated_runs(loads, rounds=args.rounds, seconds=args.seconds, connections=args.connections,
                                     workdir=workdir)
        generator = "wrk (1 thread)" if shutil.which("wrk") else "Python processes"
        print(f"\n== bench/resolve_throttle.py: {args.themes:,} hosts, resolve cache on, gunicorn (2 sync workers) "
              f"per server, {generator}, {args.connections} connections from one address, {os.cpu_count()} cores, "
              f"{args.rounds} rounds × {args.seconds:g}s (medians)")
        per_cpu = bench.print_runs(runs)
        ratio_off = bench.paired(runs, "resolve throttle off", "bare throttle off")
        ratio_on = bench.paired(runs, "resolve throttle on", "bare throttle on")
        kept = bench.paired(runs, "resolve throttle on", "resolve throttle off")
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
