"""Idempotency-Key under real concurrency: several connections, committed transactions."""
from __future__ import annotations

import json
import threading

import pytest
from django.db import connections
from django.test import Client

from themeconfig.models import Theme
from themeconfig.platform.tenant_context import tenant_context

pytestmark = pytest.mark.usefixtures("committed_db")


def test_same_key_at_once__one_theme__the_others_replay_or_409(keyed_tenant_factory):
    keyed = keyed_tenant_factory(role="admin")
    barrier, results = threading.Barrier(4), []

    def post():
        try:
            barrier.wait()
            response = Client().post("/api/v1/themes/", json.dumps({"name": "Lake"}), content_type="application/json",
                                     HTTP_IDEMPOTENCY_KEY="same", **keyed.auth)
            results.append((response.status_code, response.get("Idempotent-Replayed"), response.json().get("id")))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with tenant_context(keyed.id):
        ids = list(Theme.objects.values_list("id", flat=True))
    assert len(ids) == 1
    executed = [r for r in results if r[0] == 201 and r[1] is None]
    assert len(executed) == 1 and executed[0][2] == ids[0]
    for status, replayed, theme_id in results:
        assert (status, replayed, theme_id) in ((201, None, ids[0]), (201, "true", ids[0])) or status == 409
