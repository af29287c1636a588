"""How many resolves of a rollout's hosts answered the candidate, per minute, in Redis: counted in
the process and sent at most every FLUSH_EVERY_SECONDS (one pipelined round trip: two HINCRBY per
rollout into one hash per minute, one EXPIRE), so resolve/ pays no Redis call per request and a
process serving many rollouts little per flush. Losing the last seconds of counts when a process
stops is the price; the figure is a share. Hashes expire after two hours; `last_hour` sums the last
60 minutes."""
from __future__ import annotations

import logging
import threading
import time
from functools import lru_cache

from django.conf import settings

logger = logging.getLogger(__name__)
FLUSH_EVERY_SECONDS = 10.0
KEEP_SECONDS = 7200
_lock = threading.Lock()
_pending: dict[tuple[str, int], list[int]] = {}  # (rollout id, minute) -> [resolves, candidate answers]
_next_flush = 0.0


def count(rollout_id: str, *, candidate: bool) -> None:
    global _next_flush
    minute = int(time.time() // 60)
    with _lock:
        counts = _pending.setdefault((rollout_id, minute), [0, 0])
        counts[0] += 1
        counts[1] += candidate
        now = time.monotonic()
        if now < _next_flush:
            return
        _next_flush = now + FLUSH_EVERY_SECONDS
        batch = dict(_pending)
        _pending.clear()
    flush(batch)


def flush(batch: dict[tuple[str, int], list[int]] | None = None) -> None:
    """Sends the counts (all pending ones when no batch is given); a Redis error drops them."""
    if batch is None:
        with _lock:
            batch = dict(_pending)
            _pending.clear()
    if not batch:
        return
    try:
        pipe = _redis().pipeline(transaction=False)
        minutes = set()
        for (rollout_id, minute), (total, candidate) in batch.items():
            pipe.hincrby(_key(minute), f"{rollout_id}:n", total)
            if candidate:
                pipe.hincrby(_key(minute), f"{rollout_id}:c", candidate)
            minutes.add(minute)
        for minute in minutes:
            pipe.expire(_key(minute), KEEP_SECONDS)
        pipe.execute()
    except Exception:  # noqa: BLE001 - a share for people to read: never an error for a guest
        logger.warning("could not send rollout counts", exc_info=True)


def last_hour(rollout_id: str) -> tuple[int, int]:
    """(resolves of the rollout's hosts, of which answered the candidate) over the last 60 minutes."""
    now = int(time.time() // 60)
    try:
        pipe = _redis().pipeline(transaction=False)
        for minute in range(now - 59, now + 1):
            pipe.hmget(_key(minute), f"{rollout_id}:n", f"{rollout_id}:c")
        rows = pipe.execute()
    except Exception:  # noqa: BLE001 - shown as unknown
        logger.warning("could not read rollout counts", exc_info=True)
        return 0, 0
    return (sum(int(total or 0) for total, _ in rows), sum(int(candidate or 0) for _, candidate in rows))


def _key(minute: int) -> str:
    return f"{settings.CACHES['default'].get('KEY_PREFIX', '')}:rollouts:{settings.DATABASES['default']['NAME']}:{minute}"


@lru_cache(maxsize=1)
def _redis():
    import redis

    return redis.Redis.from_url(settings.CACHES["default"]["LOCATION"], socket_timeout=0.5,
                                socket_connect_timeout=0.5)
