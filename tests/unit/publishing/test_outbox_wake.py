"""Waking the outbox relay (publishing/outbox/enqueue.py): sent by task name, so the outbox never imports the
tasks module (tasks → relay → outbox → tasks would be a cycle)."""
from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.conftest import ROOT

PROBE = """
import json, sys
import django
django.setup()
from celery import current_app
sent = []
current_app.send_task = lambda name, *args, **options: sent.append([name, options.get("countdown")])
from publishing.outbox import enqueue as outbox
outbox.wake_relay()
outbox.wake_relay_in(3.5)
outbox.wake_relay_in(-1)
print(json.dumps({"sent": sent, "tasks_imported": "publishing.tasks" in sys.modules}))
"""


def test_wake_relay__now_and_later__sent_by_name_without_importing_the_tasks():
    # A fresh interpreter: in this one, other tests have imported publishing.tasks already.
    run = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, timeout=60,
                         env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"})
    assert run.returncode == 0, run.stderr[-2000:]
    probe = json.loads(run.stdout.strip().splitlines()[-1])
    assert probe["tasks_imported"] is False
    assert probe["sent"] == [["publishing.relay_outbox_task", None], ["publishing.relay_outbox_task", 3.5],
                             ["publishing.relay_outbox_task", 0.0]]
