"""Sending a Celery task whose loss is harmless. Tasks open their tenant's context themselves, through the
use cases they call (`tenant_context`), or are job tasks (themeconfig/platform/jobs/runner.py)."""
from __future__ import annotations

import logging

logger = logging.getLogger(__name__)


def send_or_leave_to(fallback: str, task, **options) -> bool:
    """Sends `task` now; with the broker down, logs and returns False. Only for messages whose loss
    is harmless because `fallback` (beat, a reaper) does the same work later."""
    try:
        task.apply_async(**options)
    except Exception:  # noqa: BLE001 - any broker fault: the fallback does the work
        logger.warning("could not send %s; %s will", task.name, fallback, exc_info=True)
        return False
    return True
