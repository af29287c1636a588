"""scripts/supervise.sh (how `make run` keeps the Celery worker and beat up): a process that dies is
started again with a logged backoff; TERM stops the process and the loop, leaving nothing behind."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent

# Appends its pid to a file, then exits 3 on its first two runs (a crash) and stays up after that.
PROGRAM = """
import sys, time
from pathlib import Path
runs = Path(sys.argv[1])
with runs.open("a") as f:
    f.write(f"{__import__('os').getpid()}\\n")
if len(runs.read_text().split()) <= 2:
    sys.exit(3)
time.sleep(60)
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"


def test_supervise__process_crashes_twice__restarted_with_backoff_then_term_stops_everything(tmp_path):
    runs = tmp_path / "runs"
    supervisor = subprocess.Popen(
        ["bash", str(ROOT / "scripts/supervise.sh"), "crashy", sys.executable, "-c", PROGRAM, str(runs)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not (runs.exists() and len(runs.read_text().split()) == 3):
            time.sleep(0.05)
        pids = [int(pid) for pid in runs.read_text().split()]
        assert len(pids) == 3 and supervisor.poll() is None
        assert _alive(pids[-1]) and not any(_alive(pid) for pid in pids[:-1])
    finally:
        supervisor.send_signal(signal.SIGTERM)
        output, _ = supervisor.communicate(timeout=10)
    assert supervisor.returncode == 0
    # 1 s, then 2 s: each restart logged with the exit status and the delay.
    assert output.splitlines() == [
        "==> supervise: crashy exited with status 3; restarting it in 1 s",
        "==> supervise: crashy exited with status 3; restarting it in 2 s",
    ]
    assert not _alive(pids[-1])
