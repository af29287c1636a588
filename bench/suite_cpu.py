"""Where a test run's CPU goes, by kind of process: samples /proc while a command runs.

    .venv/bin/python bench/suite_cpu.py -- make test
    .venv/bin/python bench/suite_cpu.py --per-test -- make test   # also each test's wall and CPU

Every 0.3 s it reads each process's CPU time (utime + stime) and keeps the last seen per process;
at the end it prints the totals per kind (pytest workers, chromium by process type, gunicorn, Celery,
PostgreSQL backends, manage.py by command, mypy, ...). A process that lives less than 0.3 s is
missed, and processes that were running before the command count from their start: read the kinds
the run starts. With --per-test, bench/pytest_cpu_accounting.py is loaded into pytest (PYTEST_ADDOPTS)
and each test's wall time, its worker's CPU and the CPU of the children it reaped are printed by
directory, with the time spent waiting (wall minus both). The figures behind #19's closing notes.
"""
from __future__ import annotations

import argparse
import collections
import glob
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def kind(cmdline: str, comm: str) -> str:
    if "chrom" in cmdline or comm.startswith("chrom"):
        process_type = re.search(r"--type=([a-z-]+)", cmdline)
        return "chromium:" + (process_type.group(1) if process_type else "browser")
    if "celery" in cmdline:
        return "celery beat" if " beat" in cmdline else "celery"
    rules = (("playwright", "playwright driver"), ("gunicorn", "gunicorn"), ("mypy", "mypy"),
             ("exec(eval", "pytest worker"), ("pytest", "pytest"), ("pgbouncer", "pgbouncer"))
    for needle, name in rules:
        if needle in cmdline:
            return name
    if comm.startswith("postgres"):
        return "postgres"
    if "manage.py" in cmdline:
        rest = cmdline.split("manage.py", 1)[1].split()
        return "manage.py " + (rest[0] if rest else "")
    return "other: " + comm


def sample(seen: dict, stop: threading.Event) -> None:
    """seen: (pid, start time) -> [kind, CPU when first seen, CPU when last seen]. Processes running
    before the command count from the first sweep (their earlier CPU is not the run's)."""
    ticks = os.sysconf("SC_CLK_TCK")
    first_sweep = True
    while not stop.is_set():
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
                comm = stat[stat.index("(") + 1:stat.rindex(")")]
                fields = stat.rsplit(")", 1)[1].split()
                cpu = (int(fields[11]) + int(fields[12])) / ticks
                key = (entry, fields[19])  # pid and start time: a reused pid is another process
                if key not in seen:
                    cmdline = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                    seen[key] = [kind(cmdline, comm), cpu if first_sweep else 0.0, cpu]
                else:
                    seen[key][2] = cpu
            except (OSError, ValueError, IndexError):
                continue
        first_sweep = False
        stop.wait(0.3)


def per_test_report(directory: str) -> None:
    wall, own, children = collections.Counter(), collections.Counter(), collections.Counter()
    for path in glob.glob(os.path.join(directory, "*.jsonl")):
        for line in Path(path).read_text().splitlines():
            row = json.loads(line)
            parts = row["id"].split("::")[0].split("/")
            group = "/".join(parts[:3]) if len(parts) > 2 and parts[1] in ("e2e", "unit") else "/".join(parts[:2])
            wall[group] += row["wall"]
            own[group] += row["self"]
            children[group] += row["children"]
    print(f"\n{'tests':40s} {'wall s':>8s} {'worker':>8s} {'reaped':>8s} {'waiting':>8s}")
    for group, seconds in wall.most_common(25):
        print(f"{group:40s} {seconds:8.1f} {own[group]:8.1f} {children[group]:8.1f} "
              f"{seconds - own[group] - children[group]:8.1f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--per-test", action="store_true", help="also each test's wall time and CPU")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- then the command to run")
    args = parser.parse_args()
    command = [part for part in args.command if part != "--"] or ["make", "test"]
    env = dict(os.environ)
    per_test_dir = None
    if args.per_test:
        per_test_dir = tempfile.mkdtemp(prefix="suite-cpu-")
        env["CPU_ACCOUNTING_DIR"] = per_test_dir
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "bench"), env.get("PYTHONPATH")]))
        env["PYTEST_ADDOPTS"] = (env.get("PYTEST_ADDOPTS", "") + " -p pytest_cpu_accounting").strip()
    seen: dict = {}
    stop = threading.Event()
    sampler = threading.Thread(target=sample, args=(seen, stop), daemon=True)
    sampler.start()
    started = time.monotonic()
    status = subprocess.call(command, cwd=ROOT, env=env)
    elapsed = time.monotonic() - started
    stop.set()
    sampler.join()
    totals: collections.Counter = collections.Counter()
    for name, first, last in seen.values():
        totals[name] += last - first
    print(f"\n{' '.join(command)}: exit {status}, {elapsed:.0f} s wall, {os.cpu_count()} CPUs "
          f"({elapsed * (os.cpu_count() or 1):.0f} CPU-seconds available)")
    for name, cpu in totals.most_common(25):
        if cpu >= 0.1:
            print(f"{cpu:8.1f} CPU-s  {name}")
    if per_test_dir:
        per_test_report(per_test_dir)
    return status


if __name__ == "__main__":
    sys.exit(main())
