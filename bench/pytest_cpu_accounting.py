"""A pytest plugin (loaded by bench/suite_cpu.py --per-test): each test's wall time, the CPU its
process used and the CPU of the child processes it reaped (servers and workers it started and
stopped), one JSON line per test in $CPU_ACCOUNTING_DIR/<xdist worker>.jsonl."""
from __future__ import annotations

import json
import os
import resource
import time
from pathlib import Path

import pytest


def _cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item, nextitem):
    directory = os.environ.get("CPU_ACCOUNTING_DIR")
    started, own, children = time.monotonic(), _cpu(resource.RUSAGE_SELF), _cpu(resource.RUSAGE_CHILDREN)
    try:
        return (yield)
    finally:
        if directory:
            row = {"id": item.nodeid, "wall": time.monotonic() - started,
                   "self": _cpu(resource.RUSAGE_SELF) - own, "children": _cpu(resource.RUSAGE_CHILDREN) - children}
            with Path(directory, f"{os.environ.get('PYTEST_XDIST_WORKER', 'main')}.jsonl").open("a") as out:
                out.write(json.dumps(row) + "\n")
