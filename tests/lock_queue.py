"""Lock-order races made exact: a lock held from a third connection while the racing use cases queue
for it in a chosen order, then let go. What runs first after it is then known, so a test can check
that two use cases which lock the same rows never deadlock whichever way they meet."""
from __future__ import annotations

import threading
from collections.abc import Callable

from django.db import connections

from tests.conftest import admin_connect
from tests.eventually import eventually


def queued_on_a_held_lock(database: str, hold: str, params: list, calls: dict[str, Callable[[], object]]
                          ) -> dict[str, object]:
    """Holds `hold` (SQL taking a lock, run as the superuser in a transaction) while each of `calls`
    starts in a thread of its own, in their order, each once every earlier one waits on a lock in
    `database` (pg_stat_activity); then commits and waits for them. Returns each call's result, or
    the exception it raised (a DomainError, or the OperationalError of a deadlock)."""
    outcomes: dict[str, object] = {}

    def run(name: str, call: Callable[[], object]) -> None:
        try:
            outcomes[name] = call()
        except Exception as error:  # noqa: BLE001 - the caller asserts on it
            outcomes[name] = error
        finally:
            connections.close_all()

    connections.close_all()  # the arranged rows are committed; the threads open their own connections
    threads = [threading.Thread(target=run, args=item) for item in calls.items()]
    with admin_connect(database) as gate, admin_connect(database) as watch:
        gate.execute("BEGIN")
        gate.execute(hold, params)
        for waiting, thread in enumerate(threads, start=1):
            thread.start()
            eventually(lambda n=waiting: watch.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND wait_event_type = 'Lock'",
                [database]).fetchone()[0] >= n, what=f"{waiting} use case(s) waiting on the held lock",
                timeout=20, interval=0.02)
        gate.execute("COMMIT")
        for thread in threads:
            thread.join(timeout=30)
    return outcomes
