"""Benchmark: what a running rollout costs resolve/, through one real server.

    .venv/bin/python bench/rollout.py [--themes 2000] [--seconds 3] [--rounds 8] [--connections 4]

Builds its own database (BENCH_DB, default theme_config_bench_rollout) filled as bench/publish.py fills
it, then gives half of the themes a running rollout (a candidate bundle to 50 % of visitor keys and
three named user keys; the rows written as the superuser, the read model rewritten by the rollout
trigger as a start would). One gunicorn (2 sync workers, the resolve cache on, bench/settings_bench.py)
then serves alternated load runs of GET /api/v1/resolve/?visitor=…&host= over 1,000 hosts of each
half: with a running rollout (the visitor's slice is looked up, the answer picked, the share counted)
and without. Prints requests/s of each (median) and requests per CPU second of the server's workers,
and the ratio with ÷ without (median of runs made back to back; aim ≥ 0.95). Redis: BENCH_REDIS_URL,
which must be empty and is flushed at the end; the database is dropped at the end. Not a test: it
prints figures.
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

os.environ.setdefault("BENCH_DB", "theme_config_bench_rollout")
sys.path.insert(0, str(Path(__file__).resolve().parent))
import publish as bench  # noqa: E402  (bench/ is not a package; it sets the environment up)

# A running rollout for every even filled theme: candidate = a made-up bundle of its one version.
START_ROLLOUTS = (
    "INSERT INTO theme_config.theme_rollouts (id, tenant_id, theme_id, candidate_version_id, "
    "candidate_version_version, candidate_bundle_url, candidate_bundle_sha256, status, basis_points, user_keys, "
    "reason, created_by, updated_by) "
    "SELECT 'rol_0' || lpad(n::text, 21, '0'), t.tenant_id, t.id, 'thv_0' || lpad(n::text, 21, '0'), 1, "
    "'/media/bundles/candidate-' || n || '.json', encode(sha256(('candidate-' || n)::bytea), 'hex'), 'running', "
    "5000, '{vip-1,vip-2,vip-3}', 'bench', 'operator:bench', 'operator:bench' "
    "FROM generate_series(2, %(n)s::int, 2) n JOIN theme_config.themes t ON t.id = 'thm_0' || lpad(n::text, 21, '0')"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--themes", type=int, default=2000, help="filled themes (hosts), a multiple of 40")
    parser.add_argument("--seconds", type=float, default=3, help="length of each load run")
    parser.add_argument("--rounds", type=int, default=8, help="alternated runs of each load")
    parser.add_argument("--connections", type=int, default=4)
    args = parser.parse_args()

    bench.check_redis_is_ours()
    started = time.monotonic()
    print(f"creating {bench.BENCH_DB} and filling {args.themes:,} themes …", flush=True)
    bench.fresh_database(bench.BENCH_DB)
    servers = []
    workdir = Path(tempfile.mkdtemp(prefix="bench-rollout-"))
    try:
        bench.fill(0, args.themes)
        with bench.admin_connect() as conn:
            conn.execute(START_ROLLOUTS, {"n": args.themes})
            (with_slice,) = conn.execute(
                "SELECT count(*) FROM theme_config.host_resolution WHERE rollout IS NOT NULL").fetchone()
        assert with_slice == args.themes // 2, with_slice
        rng = random.Random(1)
        halves = {"with rollout": [bench.filled_ids(2 * rng.randint(1, args.themes // 2))[2] for _ in range(1000)],
                  "without": [bench.filled_ids(2 * rng.randint(1, args.themes // 2) - 1)[2] for _ in range(1000)]}
        server, port = bench.start_server(30)
        servers.append(server)
        answers = {bench.get(port, f"/api/v1/resolve/?visitor={key}&host={halves['with rollout'][0]}")[1]
                   for key in ("vip-1", "guest-0", "guest-1", "guest-2", "guest-3", "guest-4")}
        assert any(b'"rollout_id"' in body for body in answers) and any(b'"rollout_id"' not in body
                                                                       for body in answers), answers
        # Each connection of the load is one visitor (wrk and the Python load fix the path); the slice
        # decides per host which of them get the candidate.
        path = "/api/v1/resolve/?visitor=guest-{}&host="
        loads = {name: bench.Load(port, server.process.pid, path, hosts) for name, hosts in halves.items()}
        runs = bench.alternated_runs(loads, rounds=args.rounds, seconds=args.seconds, connections=args.connections,
                                     workdir=workdir)
        paired = bench.paired(runs, "with rollout", "without")
        generator = "wrk (1 thread)" if shutil.which("wrk") else "Python processes"
        print(f"\n== bench/rollout.py: {args.themes:,} hosts ({args.themes // 2:,} with a running rollout at 50 %), "
              f"resolve cache on, one gunicorn (2 sync workers), {generator}, {args.connections} connections, "
              f"{os.cpu_count()} cores, {args.rounds} rounds × {args.seconds:g}s (medians)")
        per_cpu = bench.print_runs(runs, label="resolve {:<13}")
        print(f"resolve req/s, with a running rollout ÷ without: {paired:.3f}  "
              f"target ≥0.95: {'OK' if paired >= 0.95 else 'MISSED'}")
        cpu_ratio = per_cpu["with rollout"] / per_cpu["without"]
        print(f"resolve req per worker CPU second, with ÷ without: {cpu_ratio:.3f}  "
              f"target ≥0.95: {'OK' if cpu_ratio >= 0.95 else 'MISSED'}")
        print(f"\ntotal {time.monotonic() - started:.0f}s", flush=True)
    finally:
        bench.clean_up(servers, workdir)


if __name__ == "__main__":
    main()
