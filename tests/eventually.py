"""Waiting in tests for what another process or thread does: poll a condition until it holds."""
from __future__ import annotations

import time
from collections.abc import Callable


def eventually(check, timeout: float = 30.0, interval: float = 0.05, *, what: str | None = None,
               detail: Callable[[], str] | None = None):
    """`check()`'s first truthy value within `timeout` seconds; AssertionError when there is none, naming
    `what` was waited for and ending with `detail()` (a worker's log, say) when given."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := check():
            return value
        time.sleep(interval)
    message = f"timed out waiting for {what}" if what else "condition not met"
    message += f" within {timeout} s"
    if detail is not None:
        message += f":\n{detail()}"
    raise AssertionError(message)
