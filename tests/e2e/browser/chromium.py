"""Launching Debian's chromium through Playwright (executable_path): no browser is ever downloaded."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

DEFAULT_PATH = "/usr/bin/chromium"
# Playwright adds --headless itself (headless=True). The rest keep Chromium off the network at
# start-up: on a closed network its background connections are refused, many at a time.
ARGS = [
    "--no-sandbox",  # CI runs as root, where Chromium's sandbox refuses to start
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def executable_path() -> str:
    """CHROMIUM_PATH, else Debian's /usr/bin/chromium; a failed test with the fix if neither is there."""
    configured = os.environ.get("CHROMIUM_PATH", DEFAULT_PATH)
    found = configured if Path(configured).is_file() else shutil.which(configured)
    if not found or not os.access(found, os.X_OK):
        pytest.fail(
            f"Chromium not found at {configured!r} (env CHROMIUM_PATH): apt-get install chromium", pytrace=False
        )
    return found


def launch(playwright):
    """A headless Chromium; a failed start is one readable line, not Playwright's traceback."""
    from playwright.sync_api import Error

    path = executable_path()
    try:
        return playwright.chromium.launch(executable_path=path, headless=True, args=ARGS)
    except Error as error:
        first_lines = " | ".join(line.strip() for line in str(error).splitlines()[:6] if line.strip())
        pytest.fail(f"Chromium at {path} did not start: {first_lines}", pytrace=False)
