"""Reads that tolerate lag on the streaming replica (`readonly`: READONLY_DATABASE_URL, theme_config_ro).

Which reads: the ones a door marks lag-tolerant (`lag_tolerant` on API list and history views, the
resolve cache's fill through `lag_tolerant_read`). Everything else, every write and every read inside
a use case, stays on the primary (`default`). Within such a read the router (db_router.py) sends ORM
reads to the replica and raw SQL asks `reading_alias()`; the replica's transaction carries the same
tenant GUC as the request's (tenant_context on the `readonly` alias), so row level security binds
theme_config_ro exactly as it binds the app role.

The primary answers instead, and the read is counted (`replica_fallback`), when:
- the replica cannot be reached, or its connection breaks during the read (then the read runs again
  on the primary, once);
- its replay is more than REPLICA_MAX_LAG_SECONDS behind, or it is not streaming from the primary
  at all (lag unknown);
- the standby cancels the read to go on replaying (a recovery conflict): it runs again on the primary;
- (resolve fill) its answer is older than a resolve generation this process has already heard of.
The verdict on the replica is reused for REPLICA_CHECK_SECONDS per process, so a dead replica costs
one connect timeout per interval, not one per request.

Read-your-writes: a caller (API key or member, per tenant) whose request wrote (an unsafe method
that did not fail) gets a Redis key living REPLICA_READ_YOUR_WRITES_SECONDS; while it lives the
caller's lag-tolerant reads stay on the primary. Not counted: the primary is the designed answer.
That window is at least the lag bound plus the check interval, so once it ends a replica still in use
has replayed the write. A Redis that cannot be read or written sends the reads to the primary
(this process, for the whole window after a failed write), never to a replica that may not have it.
Why Redis rather than a cookie or the session: API keys keep no cookies, and every process and
machine serving the caller sees the same key.
"""
from __future__ import annotations

import contextvars
import logging
import math
import threading
import time
from collections import Counter
from collections.abc import Callable
from contextlib import ExitStack
from enum import StrEnum
from functools import lru_cache, wraps
from typing import TYPE_CHECKING, Any, TypeVar

from django.conf import settings
from django.db import connections

from themeconfig.platform.database_faults import database_fault
from themeconfig.platform.metrics import DB_REPLICA_FALLBACKS
from themeconfig.platform.tenant_context import current_tenant_id, tenant_context

if TYPE_CHECKING:
    import redis

    from themeconfig.platform.principal import Principal

logger = logging.getLogger(__name__)
REPLICA = "readonly"
PRIMARY = "default"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
T = TypeVar("T")

# Seconds of replay lag, None when unknown (not streaming from the primary, nothing replayed yet).
# Caught up (all WAL received is replayed) is 0 even when the last commit is old: an idle primary.
# pg_stat_wal_receiver shows a row (its pid) to any role while the WAL receiver runs. A server that
# is not in recovery (a primary named as the replica, e.g. in development) has no lag.
LAG_SQL = """
SELECT CASE
  WHEN NOT pg_is_in_recovery() THEN 0
  WHEN NOT EXISTS (SELECT FROM pg_stat_wal_receiver) THEN NULL
  WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
  ELSE extract(epoch FROM clock_timestamp() - pg_last_xact_replay_timestamp())
END
"""


class FallbackReason(StrEnum):
    UNAVAILABLE = "unavailable"  # no connection, or it broke during the read
    LAGGING = "lagging"  # replay lag past REPLICA_MAX_LAG_SECONDS, or unknown
    BEHIND = "behind"  # resolve fill: older than a resolve generation already heard of
    CONFLICT = "conflict"  # the standby cancelled the read to go on replaying (a recovery conflict)


# "canceling statement due to conflict with recovery" (serialization_failure): the standby ends a
# read that holds back replay past max_standby_streaming_delay. Reads on the primary here run at
# READ COMMITTED, where PostgreSQL never raises it.
_RECOVERY_CONFLICT_SQLSTATE = "40001"


_reading_from: contextvars.ContextVar[str | None] = contextvars.ContextVar("replica_reading_from", default=None)
_fallbacks: Counter[str] = Counter()
_lock = threading.Lock()
_verdict: tuple[float, FallbackReason | None] = (-math.inf, None)  # (checked at, monotonic; the verdict)
_primary_for_everyone_until = 0.0  # monotonic: a read-your-writes mark could not be stored


def replica_fallback(reason: FallbackReason) -> None:
    """Counts one lag-tolerant read answered by the primary instead of the replica.

    The one place the count is kept, here and in Prometheus (theme_config_db_replica_fallbacks_total)."""
    with _lock:
        _fallbacks[reason] += 1
    DB_REPLICA_FALLBACKS.labels(str(reason)).inc()


def fallback_counts() -> dict[str, int]:
    """Reads sent to the primary instead of the replica in this process, by reason."""
    with _lock:
        return dict(_fallbacks)


def replica_alias_for_reads() -> str | None:
    """The alias the router reads from inside a lag-tolerant read, None outside one."""
    return _reading_from.get()


def reading_alias() -> str:
    """Where raw SQL of a read runs: the replica inside a lag-tolerant read on it, else the primary."""
    return _reading_from.get() or PRIMARY


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


# --- read-your-writes ----------------------------------------------------------------------------

def caller_wrote(principal: Principal | None) -> None:
    """After a request of `principal` wrote: its lag-tolerant reads stay on the primary for a while."""
    global _primary_for_everyone_until
    if principal is None or not replica_configured():
        return
    seconds = settings.REPLICA_READ_YOUR_WRITES_SECONDS
    try:
        _redis().set(_mark_key(principal), b"1", ex=seconds)
    except Exception:  # noqa: BLE001 - Redis away: this process reads from the primary for the window
        logger.warning("cannot store a read-your-writes mark; reads stay on the primary for %s s", seconds,
                       exc_info=True)
        _primary_for_everyone_until = time.monotonic() + seconds


def caller_wrote_recently(principal: Principal | None) -> bool:
    if principal is None:
        return False
    if time.monotonic() < _primary_for_everyone_until:
        return True
    try:
        return bool(_redis().exists(_mark_key(principal)))
    except Exception:  # noqa: BLE001 - unknown: the primary has the caller's writes for sure
        logger.warning("cannot read a read-your-writes mark; this read stays on the primary", exc_info=True)
        return True


def _mark_key(principal: Principal) -> str:
    # The cache's key prefix and the database's name: test runs and benchmarks share one Redis.
    namespace = f"{settings.CACHES['default'].get('KEY_PREFIX', '')}:replica-ryw:{settings.DATABASES[PRIMARY]['NAME']}"
    return f"{namespace}:{principal.tenant_id}:{principal.actor_kind}:{principal.actor_id}"


@lru_cache(maxsize=1)
def _redis() -> redis.Redis:
    import redis

    # Short timeouts: a slow Redis must not hold up the read it only steers.
    return redis.Redis.from_url(settings.CACHES["default"]["LOCATION"], socket_timeout=0.25,
                                socket_connect_timeout=0.25)


# --- the replica's health ------------------------------------------------------------------------

def replica_verdict() -> FallbackReason | None:
    """None when the replica may answer, else why not; looked at once per REPLICA_CHECK_SECONDS."""
    checked_at, verdict = _verdict
    if time.monotonic() - checked_at < settings.REPLICA_CHECK_SECONDS:
        return verdict
    return _remember(_probe())


def forget_verdict() -> None:
    """The next lag-tolerant read looks at the replica again (tests; a changed configuration)."""
    global _verdict
    with _lock:
        _verdict = (-math.inf, None)


def _remember(verdict: FallbackReason | None) -> FallbackReason | None:
    global _verdict
    with _lock:
        previous = _verdict[1]
        _verdict = (time.monotonic(), verdict)
    if verdict != previous:
        logger.warning("read replica: %s", f"skipped ({verdict}), the primary answers" if verdict else "in use again")
    return verdict


def _probe() -> FallbackReason | None:
    connection = connections[REPLICA]
    try:
        with connection.cursor() as cursor:
            cursor.execute(LAG_SQL)
            (lag,) = cursor.fetchone()
    except Exception as exc:
        if database_fault(exc) is None:
            raise
        _drop(connection)
        return FallbackReason.UNAVAILABLE
    if lag is None or float(lag) > settings.REPLICA_MAX_LAG_SECONDS:
        return FallbackReason.LAGGING
    return None


def _drop(connection: Any) -> None:
    try:
        connection.close()
    except Exception:  # noqa: BLE001 - already broken; a new one is opened next time
        connection.connection = None


# --- lag-tolerant reads --------------------------------------------------------------------------

def lag_tolerant_read(read: Callable[[], T], *, principal: Principal | None = None) -> T:
    """`read()` on the replica when it may answer, else (or if it breaks meanwhile) on the primary.

    In a tenant context the replica's transaction carries the same tenant. `read` must not write, and
    must finish with what it read (serialise inside it: rows loaded here lazy-load from the replica)."""
    scope = _enter_replica(principal)
    if scope is None:
        return read()
    try:
        with scope:
            return read()
    except Exception as exc:
        reason = _replica_failure(exc)
        if reason is None:
            raise
        logger.warning("a read on the read replica failed (%s); running it on the primary", reason, exc_info=True)
        if reason == FallbackReason.UNAVAILABLE:
            _drop(connections[REPLICA])
            _remember(reason)
        replica_fallback(reason)
        return read()


def lag_tolerant(method: Callable[..., T]) -> Callable[..., T]:
    """A view method (`get`) whose reads tolerate lag: on the replica, unless the caller wrote lately."""
    @wraps(method)
    def read_on_replica(view: Any, request: Any, *args: Any, **kwargs: Any) -> T:
        principal = getattr(request, "principal", None)
        return lag_tolerant_read(lambda: method(view, request, *args, **kwargs), principal=principal)
    return read_on_replica


def _enter_replica(principal: Principal | None) -> ExitStack | None:
    """The open scope of a read on the replica, or None when the primary answers."""
    if not replica_configured() or _reading_from.get() is not None or caller_wrote_recently(principal):
        return None
    verdict = replica_verdict()
    if verdict is not None:
        replica_fallback(verdict)
        return None
    stack = ExitStack()
    try:
        tenant_id = current_tenant_id()
        if tenant_id is not None:
            stack.enter_context(tenant_context(tenant_id, using=REPLICA))
    except Exception as exc:
        _close_quietly(stack)
        if database_fault(exc) is None:
            raise
        _drop(connections[REPLICA])
        _remember(FallbackReason.UNAVAILABLE)
        replica_fallback(FallbackReason.UNAVAILABLE)
        return None
    token = _reading_from.set(REPLICA)
    stack.callback(_reading_from.reset, token)
    return stack


def _close_quietly(stack: ExitStack) -> None:
    try:
        stack.close()
    except Exception:  # noqa: BLE001 - the replica's connection is gone; it is dropped next
        logger.debug("closing the replica scope failed", exc_info=True)


def _replica_failure(exc: BaseException) -> FallbackReason | None:
    """Why a read inside the replica scope failed, when the replica is to blame; None otherwise."""
    cause: BaseException | None = exc
    while cause is not None:
        if getattr(cause, "sqlstate", None) == _RECOVERY_CONFLICT_SQLSTATE:
            return FallbackReason.CONFLICT
        cause = cause.__cause__ or cause.__context__
    if database_fault(exc) is not None and not _replica_usable():
        return FallbackReason.UNAVAILABLE
    return None


def _replica_usable() -> bool:
    connection = connections[REPLICA]
    if connection.connection is None:
        return False
    try:
        return bool(connection.is_usable())
    except Exception:  # noqa: BLE001
        return False
