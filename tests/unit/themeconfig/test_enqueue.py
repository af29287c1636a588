"""Work sent by task name (themeconfig/platform/enqueue.py): every name a service or the outbox sends
is a task the worker registers, so a typo cannot lose work silently."""
from __future__ import annotations

from celery import current_app

from ai_workspace.services.generation import GENERATION_JOBS
from publishing.outbox import enqueue as outbox
from publishing.resolve import read_models
from publishing.services.publish import PUBLISH_JOBS
from themeconfig.services import host_verification


def test_task_names_sent_by_name__each_registered_by_the_worker():
    current_app.loader.import_default_modules()  # what a worker does at start: autodiscover the apps' tasks
    sent_by_name = {outbox.RELAY_TASK, read_models.REFRESH_TASK, host_verification.CHECK_TASK,
                    PUBLISH_JOBS.task_name, GENERATION_JOBS.task_name}
    assert sent_by_name - set(current_app.tasks) == set()
