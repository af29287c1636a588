"""Runs every benchmark in bench/ in turn (each prints its own figures)."""
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
for script in sorted(HERE.glob("*.py")):
    if script.name in ("run_all.py", "harness.py"):
        continue
    print(f"== {script.name}", flush=True)
    subprocess.run([sys.executable, str(script)], check=True)
