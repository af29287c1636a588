"""The one way code that is not a task hands work to a Celery worker: by the task's registered name,
once the work's transaction has committed.

Services never import task modules: tasks import services, so an import back (even one inside a
function) is a cycle; the import contracts in pyproject.toml refuse it. Call `task_send` after the
commit (from `transaction.on_commit`, or once the use case has returned), so a worker never looks
for a row that is not committed yet.
"""
from __future__ import annotations

import logging
from typing import Any

from celery import current_app

logger = logging.getLogger(__name__)


def task_send(task_name: str, *, fallback: str, kwargs: dict[str, Any] | None = None, countdown: float | None = None,
              keep_result: bool = False) -> bool:
    """Sends the task named `task_name` now (in `countdown` seconds, never less than 0); returns
    whether it was sent. With the broker down it logs that `fallback` (beat, a reaper, a redispatch)
    does the work instead and returns False (a job is then marked for redispatch): a send is never
    why a committed change fails. `keep_result` stores the task's return value
    for whoever asks the result backend (jobs); fire-and-forget messages leave none behind."""
    options: dict[str, Any] = {} if countdown is None else {"countdown": max(countdown, 0.0)}
    try:
        current_app.send_task(task_name, kwargs=kwargs or {}, ignore_result=not keep_result, **options)
    except Exception:  # noqa: BLE001 - any broker fault: the fallback does the work
        logger.warning("could not send %s; %s will", task_name, fallback, exc_info=True)
        return False
    return True
