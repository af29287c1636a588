"""Runs every benchmark in bench/ in turn (each prints its own figures)."""
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
# Modules the benchmarks use, not benchmarks: the shared set-up, bench/publish.py's server settings and URLs,
# and bench/load_test.py's Locust users.
HELPERS = {"run_all.py", "harness.py", "settings_bench.py", "urls_bench.py", "locustfile_mixed.py"}
for script in sorted(HERE.glob("*.py")):
    if script.name in HELPERS:
        continue
    print(f"== {script.name}", flush=True)
    subprocess.run([sys.executable, str(script)], check=True)
