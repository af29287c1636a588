"""Screenshots of browser tests, as PNG files under artifacts/screenshots/ at the repository root (gitignored)."""
from __future__ import annotations

import os
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def screenshot_dir() -> Path:
    """ARTIFACTS_DIR/screenshots if set (CI may collect it from elsewhere), else artifacts/screenshots."""
    base = Path(os.environ["ARTIFACTS_DIR"]) if os.environ.get("ARTIFACTS_DIR") else ROOT / "artifacts"
    return base / "screenshots"


def screenshot(page, name: str, *, full_page: bool = True) -> Path:
    """Saves the page as `<name>.png` (a later run overwrites it) and returns the file's path."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", name.removesuffix(".png")).strip("-.") or "screenshot"
    directory = screenshot_dir()
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{stem}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path
