"""A cache in front of public host resolution: each host's JSON answer, in Redis and in each process,
never trusted past a commit it did not see, even after Redis was away and came back with old entries.

RESOLVE_CACHE_SECONDS is how long an answer is kept, a safety net only (0 turns the cache off): a
process's copy never outlives the Redis entry it came from. Unknown hosts are cached too, so a flood of lookups
for names nobody serves stays off the database; a name no host can have (tenant_hosts' CHECK) is
unknown without any lookup.

What keeps an answer from outliving a commit is kept in PostgreSQL, not in the cache
(publishing/sql/0014_resolve_generation.sql): one counter, the resolve generation, bumped at the
commit of every transaction that changes host_resolution (a flip, a host added, moved or removed, a
theme soft-deleted or restored), in commit order, with a notification per changed host carrying it.
- Every answer is stamped with the generation read in the same statement as the answer (never newer
  than what the answer saw), in Redis and in the process's copy.
- Each process LISTENs (a session of its own) and keeps, per host, the highest generation it has
  heard, and the generation at which it began to listen. A copy or a Redis entry is used only if its
  stamp is at least both: older ones are refused and the read model answers (and stores a newer one).
  So an entry Redis brings back after an outage is as good as its stamp, whatever it missed meanwhile.
- A process that cannot listen (PostgreSQL unreachable, RESOLVE_LISTEN_DATABASE_URL through a
  transaction pooler) trusts no cached answer: the read model answers every lookup. One thread at a
  time opens the session, outside the lock every lookup takes, so while the database is away no
  lookup waits on a connect or probe timeout; the others go to PostgreSQL meanwhile. The session
  takes the request role's connection OPTIONS (sslmode, sslrootcert, ...): TLS as for requests. If its session
  breaks it forgets all it heard and starts again from the counter's value at the new LISTEN. A
  session that dies silently (no reset from the network) is found by TCP keepalives within about
  25 s; RESOLVE_CACHE_SECONDS bounds what it could miss meanwhile.
- The process that commits a change hears of it at once (`invalidate`, on commit), not only when the
  notification arrives; the others within the notification's delivery (milliseconds).
- A Redis outage costs a Redis timeout, then BACKOFF_SECONDS of lookups answered by the process's
  copies and the read model; never an error.
Stores into Redis keep the newer stamp (one Lua script), so a lookup that read the database before
a commit cannot replace the answer of one that read it after.

Why the copies in each process: a Redis round trip costs as much as the rest of the request here
(bench/publish.py). Why redis-py rather than django.core.cache (same Redis, CACHES["default"]):
Django's RedisCache builds a new client object on every call, which doubled that round trip's cost.
"""
from __future__ import annotations

import json
import logging
import os
import re
import secrets
import select
import threading
import time
from collections.abc import Iterable
from contextlib import nullcontext
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.db import connection, transaction
from rest_framework.fields import DateTimeField

from publishing import selectors
from themeconfig.platform import read_replica
from themeconfig.platform.metrics import RESOLVE_CACHE_LOOKUPS

logger = logging.getLogger(__name__)
NEAR_MAX_ENTRIES = 50_000  # a process's copies (and hosts heard of); past this they are dropped and refilled
# After a Redis error, lookups skip Redis for this long instead of waiting on a dead server at every
# request; after a failed LISTEN, the read model answers for this long before the next attempt.
BACKOFF_SECONDS = 5.0
CHANNEL = "theme_config_resolve"  # publishing/sql/0014_resolve_generation.sql: '<generation> <host>'
_NO_COPY = object()
_UNKNOWN = b"-"
# KEYS: the answer; ARGV: its stamp, the answer, its TTL. An entry with a stamp as new is kept.
_FILL_LUA = """
local old = redis.call('GET', KEYS[1])
if old and tonumber(string.match(old, '^%d+')) >= tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
return 1
"""
# tenant_service.tenant_hosts_host_check: a name that fails it is served by nobody.
_HOST_RE = re.compile(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*")
_FIELDS = ("host", "theme_id", "publication_id", "theme_version_id", "bundle_url", "bundle_sha256", "published_at")
_published_at = DateTimeField()  # the API's datetime format (ResolutionSerializer's field)
_skip_until = 0.0  # Redis backed off until (monotonic)


@dataclass(frozen=True)
class Resolution:
    """What resolve/ answers for a host: its bundle's sha256 (the ETag) and the JSON body."""

    sha256: str
    body: bytes


def resolution_body(row: dict) -> bytes:
    """The row as ResolutionSerializer presents it, rendered as DRF's JSONRenderer does (compact UTF-8)."""
    data = {field: row[field] for field in _FIELDS}
    data["published_at"] = _published_at.to_representation(row["published_at"])
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def resolve(host: str) -> Resolution | None:
    """The answer for a normalized host name: from this process's copy, else Redis, else the read model."""
    if len(host) > 253 or not _HOST_RE.fullmatch(host):
        return None
    ttl = settings.RESOLVE_CACHE_SECONDS
    if ttl <= 0:
        RESOLVE_CACHE_LOOKUPS.labels("bypass").inc()
        return _resolution(selectors.resolve_host(host))
    floor, copy = _NEAR.lookup(host)  # applies the generations heard so far first
    if copy is not _NO_COPY:
        RESOLVE_CACHE_LOOKUPS.labels("local").inc()
        return copy
    if floor is None:  # not listening: nothing cached can be trusted
        RESOLVE_CACHE_LOOKUPS.labels("bypass").inc()
        return _resolution(selectors.resolve_host(host))
    use_redis = time.monotonic() >= _skip_until
    key = _key(host)
    if use_redis:
        try:
            value = _redis().get(key)
        except Exception:  # noqa: BLE001 - Redis unreachable: the database answers
            _back_off("read")
            value, use_redis = None, False
        if value is not None:
            stamp, expires, found = _decode(value)
            if stamp >= floor:
                _NEAR.put(host, stamp, found, expires=expires)
                RESOLVE_CACHE_LOOKUPS.labels("redis").inc()
                return found
    RESOLVE_CACHE_LOOKUPS.labels("database").inc()
    stamp, found = _read_model(host)
    if stamp < floor:  # only the read replica can be behind what this process has heard of
        read_replica.replica_fallback(read_replica.FallbackReason.BEHIND)
        stamp, found = _read_model(host, lag_tolerant=False)
    expires = time.time() + ttl
    if use_redis:
        try:
            _fill()(keys=[key], args=[stamp, _encode(stamp, expires, found), ttl])
        except Exception:  # noqa: BLE001 - the answer stands; the next lookup tries again
            _back_off("fill")
    _NEAR.put(host, stamp, found, expires=expires)
    return found


def invalidate(hosts: Iterable[str]) -> None:
    """Drops every cached answer for these hosts: here at once, and everywhere else by bumping the
    resolve generation (with a notification per host), so that no cached answer for them from before
    this call is used again. Called after the commit of a change (`invalidate_on_commit`); the change's
    own commit already bumped the generation if it changed host_resolution (see the module's docstring)."""
    hosts = sorted(set(hosts))
    if not hosts or settings.RESOLVE_CACHE_SECONDS <= 0:
        return
    generation = None
    try:
        # Inside a caller's transaction, a savepoint: a failure here must not break it.
        with transaction.atomic() if connection.in_atomic_block else nullcontext():
            with connection.cursor() as cursor:
                cursor.execute("SELECT theme_config.resolve_generation_bump(%s)", [hosts])
                generation = cursor.fetchone()[0]
    except Exception:  # noqa: BLE001 - the change's commit bumped it already; this process forgets them anyway
        logger.warning("could not bump the resolve generation of %d host(s)", len(hosts), exc_info=True)
    _NEAR.forget(hosts, generation)


def invalidate_on_commit(hosts: Iterable[str], *, using: str = "default") -> None:
    """Drops the hosts' cached answers once the caller's transaction commits (nothing if it rolls back)."""
    hosts = sorted(set(hosts))
    if hosts:
        transaction.on_commit(lambda: invalidate(hosts), using=using, robust=True)


def theme_hosts(theme_id: str) -> list[str]:
    """The hosts resolving to the theme, read in the caller's tenant transaction (after a flip's UPDATE,
    the read model already holds its new rows)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT host FROM theme_config.host_resolution WHERE theme_id = %s", [theme_id])
        return [row[0] for row in cursor.fetchall()]


def connect_receivers() -> None:
    """Listens to themeconfig's host changes (themeconfig cannot import publishing); called by the app's ready()."""
    from themeconfig.signals import host_resolution_changed

    host_resolution_changed.connect(_on_host_resolution_changed, dispatch_uid="publishing.resolve_cache")


def _on_host_resolution_changed(sender, *, hosts, **kwargs) -> None:
    invalidate(hosts)


class _Near:
    """This process's copies of answers and the resolve generations it has heard of, through a
    PostgreSQL session of its own that LISTENs; while it cannot listen, nothing cached is trusted."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._session = None
        self._retry_at = 0.0
        self._connecting = False  # a thread is opening a session (outside the lock)
        self._since = 0  # the generation when this session began to listen: every later commit is heard
        self._latest = 0  # the highest generation known to have been committed
        self._heard: dict[str, int] = {}
        self._copies: dict[str, tuple[float, int, Resolution | None]] = {}

    def lookup(self, host: str) -> tuple[int | None, Resolution | None | object]:
        """(the lowest stamp to trust for the host, or None: trust nothing; its copy, or _NO_COPY)."""
        if self._session is None and self._claim_connect():
            self._connect()
        with self._lock:
            if self._session is None or not self._drain_safely():
                return None, _NO_COPY
            floor = max(self._since, self._heard.get(host, 0))
            copy = self._copies.get(host)
        if copy is None or copy[0] <= time.monotonic() or copy[1] < floor:
            return floor, _NO_COPY
        return floor, copy[2]

    def put(self, host: str, stamp: int, found: Resolution | None, *, expires: float) -> None:
        with self._lock:
            self._latest = max(self._latest, stamp)
            # Checked again here: a generation heard since the lookup read its floor wins.
            if self._session is None or stamp < max(self._since, self._heard.get(host, 0)):
                return
            if len(self._copies) >= NEAR_MAX_ENTRIES:
                self._copies.clear()
            # Until the Redis entry's own expiry (Unix time), on this process's monotonic clock.
            self._copies[host] = (time.monotonic() + expires - time.time(), stamp, found)

    def forget(self, hosts: Iterable[str], generation: int | None) -> None:
        """After a commit that moved these hosts: nothing stamped before it is used here again. Without
        its generation (the bump failed), one above every generation known here stands for it: the
        commit's own notification, not heard yet, carries a higher one than any heard before it."""
        with self._lock:
            if self._session is None:
                return
            self._drain_safely()
            floor = generation if generation is not None else self._latest + 1
            self._latest = max(self._latest, generation or 0)
            for host in hosts:
                self._hear(host, floor)

    def _hear(self, host: str, generation: int) -> None:
        if generation > self._heard.get(host, 0):
            if len(self._heard) >= NEAR_MAX_ENTRIES:  # forget who: trust only what is newer than all
                self._since, self._heard, self._copies = self._latest, {}, {}
            self._heard[host] = generation
            self._copies.pop(host, None)

    def _claim_connect(self) -> bool:
        """Whether this thread is to open the session now: one thread at a time, once the back-off is
        over. The others meanwhile trust nothing cached and go to PostgreSQL, without waiting."""
        with self._lock:
            if self._session is not None or self._connecting or time.monotonic() < self._retry_at:
                return False
            self._connecting = True
            return True

    def _connect(self) -> None:
        """Opens the session outside the lock (a connect and a probe can take seconds while the database
        is away, and no lookup waits on them), then installs it under the lock."""
        try:
            session, since, notifications = _open_listen_session()
        except Exception:  # noqa: BLE001 - the read model answers until the next attempt
            logger.warning("cannot LISTEN for resolve generations; the database answers for %s s", BACKOFF_SECONDS,
                           exc_info=True)
            with self._lock:
                self._connecting = False
                self._retry_at = time.monotonic() + BACKOFF_SECONDS
            return
        with self._lock:
            self._connecting = False
            self._stop(back_off=False)
            self._session = session
            self._since = since
            self._latest = max(self._latest, since)
            # Heard while the counter was read: a commit counted in it changes nothing, a later one does.
            for channel, payload in notifications:
                self._on_notification(channel, payload)

    def _drain_safely(self) -> bool:
        try:
            self._drain()
            return True
        except Exception:  # noqa: BLE001 - a broken session: forget everything, listen again later
            logger.warning("the resolve generation session broke; the database answers for %s s", BACKOFF_SECONDS,
                           exc_info=True)
            self._stop()
            return False

    def _drain(self) -> None:
        pgconn = self._session.pgconn
        pgconn.consume_input()  # one non-blocking read; raises once the session is gone
        while (notification := pgconn.notifies()) is not None:
            self._on_notification(notification.relname.decode(), notification.extra.decode())

    def _on_notification(self, channel: str, payload: str) -> None:
        if channel != CHANNEL:
            return
        generation, _, host = payload.partition(" ")
        generation = int(generation)
        self._latest = max(self._latest, generation)
        self._hear(host, generation)

    def _stop(self, *, back_off: bool = True) -> None:
        session, self._session = self._session, None
        self._heard, self._copies = {}, {}
        if back_off:
            self._retry_at = time.monotonic() + BACKOFF_SECONDS
        if session is not None:
            try:
                session.close()
            except Exception:  # noqa: BLE001 - already gone
                pass

    def _after_fork(self) -> None:
        # The child must not use or close the parent's session (closing it would end the parent's),
        # nor wait on a lock held at fork: it keeps the object alive and starts afresh.
        _INHERITED.append(self._session)
        self._lock = threading.Lock()
        self._session, self._retry_at, self._heard, self._copies = None, 0.0, {}, {}
        self._connecting = False


_INHERITED: list = []
_NEAR = _Near()
os.register_at_fork(after_in_child=_NEAR._after_fork)


def _open_listen_session():
    """(a session that LISTENs, the resolve generation read after LISTEN, the notifications heard
    meanwhile as (channel, payload)). LISTENs, proves that notifications come back on the session (a
    transaction pooler would lose them), then reads the counter: every commit not counted in it is
    heard. Touches no shared state: it runs outside _Near's lock."""
    import psycopg

    session = psycopg.connect(_listen_conninfo(), autocommit=True, connect_timeout=2, keepalives=1,
                              keepalives_idle=10, keepalives_interval=5, keepalives_count=3,
                              application_name="theme-config resolve cache")
    try:
        heard: list[tuple[str, str]] = []

        def hear(notification) -> None:
            heard.append((notification.channel, notification.payload))

        session.add_notify_handler(hear)  # what arrives during the statements below
        probe = f"{CHANNEL}_probe_{os.getpid()}_{secrets.token_hex(4)}"
        session.execute(f"LISTEN {CHANNEL}")
        session.execute(f"LISTEN {probe}")
        session.execute("SELECT pg_notify(%s, 'probe')", [probe])
        deadline = time.monotonic() + 2.0
        while not any(channel == probe for channel, _ in heard):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise ConnectionError("LISTEN hears nothing on this session (a transaction pooler?); "
                                      "set RESOLVE_LISTEN_DATABASE_URL to PostgreSQL itself")
            select.select([session.pgconn.socket], [], [], remaining)
            session.pgconn.consume_input()
            while (notification := session.pgconn.notifies()) is not None:
                heard.append((notification.relname.decode(), notification.extra.decode()))
        session.execute(f"UNLISTEN {probe}")
        (since,) = session.execute("SELECT generation FROM theme_config.resolve_generation").fetchone()
        session.remove_notify_handler(hear)  # from here on _Near drains the session itself
        return session, since, [(channel, payload) for channel, payload in heard if channel == CHANNEL]
    except BaseException:
        session.close()
        raise


# Django's and psycopg's own connection options, which are not libpq connection parameters.
_NOT_CONNINFO = frozenset({"isolation_level", "server_side_binding", "pool", "assume_role", "prepare_threshold",
                           "cursor_factory", "context", "autocommit", "row_factory"})


def _listen_conninfo() -> str:
    """RESOLVE_LISTEN_DATABASE_URL, else the request role's own database settings; either way with the
    request role's connection OPTIONS (sslmode, sslrootcert, sslcert, ...) where the URL does not set
    its own, so the session is as protected (TLS) as the request connections."""
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    db = settings.DATABASES["default"]
    params = {name: value for name, value in (db.get("OPTIONS") or {}).items()
              if name not in _NOT_CONNINFO and value is not None}
    if settings.RESOLVE_LISTEN_DATABASE_URL:
        params.update(conninfo_to_dict(settings.RESOLVE_LISTEN_DATABASE_URL))
    else:
        params.update({"dbname": db["NAME"], "user": db["USER"], "password": db.get("PASSWORD"),
                       "host": db.get("HOST"), "port": db.get("PORT")})
    return make_conninfo(**{name: value for name, value in params.items() if value not in (None, "")})


def _back_off(what: str) -> None:
    global _skip_until
    logger.warning("resolve cache unreachable (%s); the database answers for %s s", what, BACKOFF_SECONDS,
                   exc_info=True)
    _skip_until = time.monotonic() + BACKOFF_SECONDS


def _read_model(host: str, *, lag_tolerant: bool = True) -> tuple[int, Resolution | None]:
    """(the resolve generation the answer is at least as new as, the answer).

    From the read replica when it may answer (themeconfig.platform.read_replica): the stamp is then the
    generation the replica had replayed, so the entry is no newer than it says; `resolve` reads again
    on the primary (`lag_tolerant=False`) when that is older than a generation this process heard of."""
    if not lag_tolerant:
        generation, row = selectors.resolve_host_at_generation(host)
    else:
        generation, row = read_replica.lag_tolerant_read(lambda: selectors.resolve_host_at_generation(host))
    return generation, _resolution(row)


def _resolution(row: dict | None) -> Resolution | None:
    return None if row is None else Resolution(row["bundle_sha256"], resolution_body(row))


def _encode(stamp: int, expires: float, found: Resolution | None) -> bytes:
    """The stamp, the expiry (Unix time), then `-` for an unknown host, else the sha256, a newline and
    the body (space-separated before it)."""
    head = b"%d %.3f " % (stamp, expires)
    return head + (_UNKNOWN if found is None else found.sha256.encode() + b"\n" + found.body)


def _decode(value: bytes) -> tuple[int, float, Resolution | None]:
    stamp, expires, answer = value.split(b" ", 2)
    if answer == _UNKNOWN:
        return int(stamp), float(expires), None
    sha256, body = answer.split(b"\n", 1)
    return int(stamp), float(expires), Resolution(sha256.decode(), body)


def _namespace() -> str:
    # The database's name keeps apart databases sharing one Redis (test runs, benchmarks, a laptop);
    # 2: entries stamped with the resolve generation (1 had generations in Redis, and another format).
    return f"{settings.CACHES['default'].get('KEY_PREFIX', '')}:resolve:2:{settings.DATABASES['default']['NAME']}"


def _key(host: str) -> str:
    return f"{_namespace()}:{host}"


@lru_cache(maxsize=1)
def _fill():
    return _redis().register_script(_FILL_LUA)


@lru_cache(maxsize=1)
def _redis():
    import redis

    # Short timeouts: a slow Redis must not hold up a lookup the database can answer.
    return redis.Redis.from_url(settings.CACHES["default"]["LOCATION"], socket_timeout=0.5,
                                socket_connect_timeout=0.5, health_check_interval=30)
