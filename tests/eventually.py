"""Waiting in tests for what another process or thread does: poll a condition until it holds."""
from __future__ import annotations

import time


def eventually(check, timeout: float = 30.0, interval: float = 0.05):
    """`check()`'s first truthy value within `timeout` seconds; AssertionError when there is none."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := check():
            return value
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout} s")
