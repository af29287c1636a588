"""Rate limits shared by every process: fixed windows counted in Redis, failing open.

A rate is DRF's notation, `N/s`, `N/min`, `N/hour` or `N/day` (THROTTLE_RATES in settings, one per
scope); empty or `off` turns the scope off. Public paths are limited per client address
(PublicEndpointMiddleware), API requests without a valid principal per client address too
(TenantMiddleware, scope `anonymous`), the API per API key and per signed-in user
(api/throttling.py); all count here.

Each (scope, caller) has one Redis counter per window (`INCRBY` + `EXPIRE`, one round trip). A
process counts hits locally and adds them to Redis in batches: every `batch` hits (a fiftieth of
the limit, 1 to MAX_BATCH), and at every hit once the caller is within a batch of the limit. Most
callers make fewer than a batch of requests per window and never cost a round trip; a busy one
costs one per batch (the resolve cache answers from memory, where a Redis round trip would cost as
much as the rest of the request). A caller can exceed its limit by at most a batch per process
(limits under 100 are exact: the batch is one).

Redis unreachable: every hit is allowed (fail open) and Redis is left alone for BACKOFF_SECONDS, so
an outage neither fails a request nor makes each one wait on a dead server.
"""
from __future__ import annotations

import logging
import math
import threading
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from django.conf import settings

from themeconfig.platform.metrics import THROTTLED

if TYPE_CHECKING:
    import redis

logger = logging.getLogger(__name__)
MAX_BATCH = 50
BACKOFF_SECONDS = 5.0
MAX_CALLERS = 50_000  # a process's local counts; past this they are all flushed away and refilled
_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class Rate:
    limit: int
    period: int  # seconds

    @property
    def batch(self) -> int:
        return max(1, min(MAX_BATCH, self.limit // 50))


@lru_cache(maxsize=64)
def parse_rate(text: str | None) -> Rate | None:
    """`"600/min"` → Rate(600, 60); empty, `off` or `0/…` → None (no limit)."""
    if not text or text.strip().lower() in ("off", "none"):
        return None
    count, _, period = text.strip().partition("/")
    rate = Rate(int(count), _PERIODS[period.strip()[:1].lower()])
    return rate if rate.limit > 0 else None


def rate_for(scope: str) -> Rate | None:
    return parse_rate(settings.THROTTLE_RATES.get(scope))


class _Count:
    __slots__ = ("window", "pending", "known")

    def __init__(self, window: int) -> None:
        self.window, self.pending, self.known = window, 0, 0


class WindowCounter:
    """One per process: local counts per (scope, caller), added to Redis in batches."""

    def __init__(self) -> None:
        self._counts: dict[tuple[str, str], _Count] = {}
        self._lock = threading.Lock()
        self._skip_until = 0.0

    def hit(self, scope: str, caller: str, rate: Rate) -> int | None:
        """Counts one request; None if it may go on, else the seconds until the window ends."""
        now = time.time()
        if now < self._skip_until:
            return None  # Redis was unreachable a moment ago: fail open, count nothing
        window = int(now // rate.period)
        retry_after = max(1, math.ceil((window + 1) * rate.period - now))
        key = (scope, caller)
        with self._lock:
            count = self._counts.get(key)
            if count is None or count.window != window:
                if len(self._counts) >= MAX_CALLERS:
                    self._counts.clear()
                count = self._counts[key] = _Count(window)
            if count.known + count.pending >= rate.limit:
                return retry_after  # already refused in this window: no need to ask Redis
            count.pending += 1
            if count.pending < rate.batch and count.known + count.pending + rate.batch <= rate.limit:
                return None
            pending, count.pending = count.pending, 0
        total = self._add(f"{_namespace()}:{scope}:{caller}:{window}", pending, rate.period)
        if total is None:
            return None  # fail open
        with self._lock:
            if count.window == window:
                count.known = max(count.known, total)
        return retry_after if total > rate.limit else None

    def refused(self, scope: str, caller: str, rate: Rate) -> int | None:
        """Whether `caller` is already past its limit in this window, as far as this process knows
        (its own hits and Redis's total at its last sync), counting nothing and asking no one: the
        seconds until the window ends, else None."""
        now = time.time()
        window = int(now // rate.period)
        with self._lock:
            count = self._counts.get((scope, caller))
            if count is None or count.window != window or count.known + count.pending < rate.limit:
                return None
        return max(1, math.ceil((window + 1) * rate.period - now))

    def _add(self, key: str, amount: int, period: int) -> int | None:
        try:
            pipeline = _redis().pipeline(transaction=False)
            pipeline.incrby(key, amount)
            pipeline.expire(key, period + 1)
            total, _ = pipeline.execute()
            return int(total)
        except Exception:  # noqa: BLE001 - any Redis failure: allow, and stop asking for a while
            self._skip_until = time.time() + BACKOFF_SECONDS
            logger.warning("rate limits fail open for %ss: Redis unreachable", BACKOFF_SECONDS, exc_info=True)
            return None

    def forget(self) -> None:
        """Drops this process's counts and any back-off (tests)."""
        with self._lock:
            self._counts.clear()
            self._skip_until = 0.0
        _redis.cache_clear()


COUNTER = WindowCounter()


def throttle(scope: str, caller: str) -> int | None:
    """None when `caller` may make one more request of `scope` now; else the seconds to wait. An
    unnamed caller is counted as one shared caller, "unknown": never let through unlimited."""
    rate = rate_for(scope)
    if rate is None:
        return None
    wait = COUNTER.hit(scope, caller or "unknown", rate)
    if wait is not None:
        THROTTLED.labels(scope).inc()
    return wait


def throttled_already(scope: str, caller: str) -> int | None:
    """Like `throttle`, but counts nothing: the seconds to wait if `caller` is already past its limit
    (as this process last heard from Redis), else None. For a check that must come before the work
    whose outcome decides whether a hit counts (a key is verified, and only a failure is counted)."""
    rate = rate_for(scope)
    if rate is None:
        return None
    wait = COUNTER.refused(scope, caller or "unknown", rate)
    if wait is not None:
        THROTTLED.labels(scope).inc()
    return wait


def _namespace() -> str:
    # The key prefix of the cache, then the database's name: test runs and benchmarks share one Redis.
    return f"{settings.CACHES['default'].get('KEY_PREFIX', '')}:throttle:{settings.DATABASES['default']['NAME']}"


@lru_cache(maxsize=1)
def _redis() -> redis.Redis:
    import redis

    # Short timeouts: a slow Redis must not hold up the requests it only counts.
    return redis.Redis.from_url(settings.CACHES["default"]["LOCATION"], socket_timeout=0.25,
                                socket_connect_timeout=0.25)
