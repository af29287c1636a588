"""A cache in front of public host resolution: each host's JSON answer, in Redis and in each process,
dropped at the commit of every change that moves the host (a flip, a host added, moved or removed, a
theme soft-deleted or restored).

RESOLVE_CACHE_SECONDS is how long an answer is kept, a safety net only (0 turns the cache off): a
process's copy never outlives the Redis entry it came from. Unknown hosts are cached too, so a flood of lookups
for names nobody serves stays off the database; a name no host can have (tenant_hosts' CHECK) is
unknown without any lookup.

A change's on-commit callback (`invalidate`) bumps each host's generation in Redis, deletes its
answer, then publishes the hosts on a channel every process listens to. Why no answer read before
the commit survives it:
- in Redis, a lookup reads the answer and the generation in one round trip; on a miss it reads the
  database and stores the answer only if the generation is still the one it saw (one Lua script).
  A lookup that read the database before the commit saw the old generation, so its store is refused
  if it comes after the bump, and deleted if it came before; a lookup that saw the new generation
  read the database after the commit;
- in a process, every lookup first applies the invalidations received so far; a copy fetched after
  that is dropped by any invalidation published later, at the next lookup, and one published earlier
  came after its generation bump, which the fetch then saw.
A lost invalidation (Redis unreachable at the commit, a broken subscription) lasts at most
RESOLVE_CACHE_SECONDS; a process that cannot listen keeps no copies.

Why the copies in each process: a Redis round trip costs as much as the rest of the request here
(bench/publish.py). Why redis-py rather than django.core.cache (same Redis, CACHES["default"]):
Django's RedisCache builds a new client object on every call, which doubled that round trip's cost.
"""
from __future__ import annotations

import json
import logging
import os
import re
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.db import connection, transaction
from rest_framework.fields import DateTimeField

from publishing import selectors

logger = logging.getLogger(__name__)
# A generation outlives any lookup by far (it is only compared within one request); renewed at each bump.
GENERATION_SECONDS = 24 * 60 * 60
NEAR_MAX_ENTRIES = 50_000  # a process's copies; past this they are all dropped and refilled
# After a Redis error, lookups skip the cache for this long (the database answers) instead of
# waiting on a dead server at every request.
BACKOFF_SECONDS = 5.0
_UNKNOWN = b"-"
_NO_COPY = object()
_FOUND = b"R"
# KEYS: answer, generation; ARGV: the generation the lookup saw ('' for none), the answer, its TTL.
_FILL_LUA = """
if (redis.call('GET', KEYS[2]) or '') ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
return 1
"""
# tenant_service.tenant_hosts_host_check: a name that fails it is served by nobody.
_HOST_RE = re.compile(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*")
_FIELDS = ("host", "theme_id", "publication_id", "theme_version_id", "bundle_url", "bundle_sha256", "published_at")
_published_at = DateTimeField()  # the API's datetime format (ResolutionSerializer's field)
_skip_until = 0.0


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
    if ttl <= 0 or time.monotonic() < _skip_until:
        return _read_model(host)
    copy = _NEAR.get(host)  # applies the invalidations received so far first
    if copy is not _NO_COPY:
        return copy
    answer_key, generation_key = _keys(host)
    try:
        value, generation = _redis().mget(answer_key, generation_key)
    except Exception:  # noqa: BLE001 - Redis unreachable: the database answers
        _back_off("read")
        return _read_model(host)
    if value is None:
        found = _read_model(host)
        value = _encode(found, expires=time.time() + ttl)
        try:
            _fill()(keys=[answer_key, generation_key], args=[generation or b"", value, ttl])
        except Exception:  # noqa: BLE001 - the answer stands; the next lookup tries again
            _back_off("fill")
    found = _decode(value)
    _NEAR.put(host, found, expires=_expires(value))
    return found


def invalidate(hosts: Iterable[str]) -> None:
    """Drops every cached answer for these hosts: here at once, in Redis (generation bumped, answer
    deleted) and in every other process (published); see the module's docstring."""
    hosts = sorted(set(hosts))
    if not hosts or settings.RESOLVE_CACHE_SECONDS <= 0:
        return
    _NEAR.drop(hosts)
    try:
        pipeline = _redis().pipeline(transaction=True)
        for host in hosts:
            answer_key, generation_key = _keys(host)
            pipeline.incr(generation_key)
            pipeline.expire(generation_key, GENERATION_SECONDS)
            pipeline.delete(answer_key)  # after the bump: a store between the two is deleted here
        pipeline.publish(_channel(), " ".join(hosts))
        pipeline.execute()
    except Exception:  # noqa: BLE001 - the entries expire by themselves (RESOLVE_CACHE_SECONDS)
        logger.warning("could not drop the cached resolution of %d host(s); they expire within %s s",
                       len(hosts), settings.RESOLVE_CACHE_SECONDS, exc_info=True)


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
    """This process's copies of answers, kept only while it hears every invalidation (subscribed)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._channel = ""
        self._pubsub = None
        self._copies: dict[str, tuple[float, Resolution | None]] = {}

    def get(self, host: str) -> Resolution | None | object:
        """The copy of the host's answer (None: an unknown host), or _NO_COPY."""
        with self._lock:
            if not self._listening():
                return _NO_COPY
            copy = self._copies.get(host)
        return copy[1] if copy is not None and copy[0] > time.monotonic() else _NO_COPY

    def put(self, host: str, found: Resolution | None, *, expires: float) -> None:
        with self._lock:
            if self._pubsub is None:
                return
            if len(self._copies) >= NEAR_MAX_ENTRIES:
                self._copies.clear()
            # Until the Redis entry's own expiry (Unix time), on this process's monotonic clock.
            self._copies[host] = (time.monotonic() + expires - time.time(), found)

    def drop(self, hosts: Iterable[str]) -> None:
        with self._lock:
            for host in hosts:
                self._copies.pop(host, None)

    def _listening(self) -> bool:
        """Subscribed in this process, every invalidation received so far applied; else no copies."""
        try:
            if self._pubsub is None or self._channel != _channel():
                self._subscribe()
            while (message := self._pubsub.get_message(timeout=0)) is not None:
                if message["type"] == "message":
                    for host in message["data"].decode().split():
                        self._copies.pop(host, None)
            return True
        except Exception:  # noqa: BLE001 - not hearing invalidations: keep nothing
            self._copies.clear()
            self._pubsub = None
            _back_off("subscription")
            return False

    def _subscribe(self) -> None:
        if self._pubsub is not None:
            self._pubsub.close()
        self._copies.clear()
        self._pubsub, channel = None, _channel()
        pubsub = _redis().pubsub()
        pubsub.subscribe(channel)
        confirmation = pubsub.get_message(timeout=1.0)
        if confirmation is None or confirmation["type"] != "subscribe":
            raise ConnectionError(f"no confirmation of the subscription to {channel}")
        self._pubsub, self._channel = pubsub, channel

    def _after_fork(self) -> None:
        # The child must not use (or close) the parent's subscription, nor wait on a lock held at fork.
        self._lock = threading.Lock()
        self._pubsub, self._channel, self._copies = None, "", {}


_NEAR = _Near()
os.register_at_fork(after_in_child=_NEAR._after_fork)


def _back_off(what: str) -> None:
    global _skip_until
    logger.warning("resolve cache unreachable (%s); the database answers for %s s", what, BACKOFF_SECONDS,
                   exc_info=True)
    _skip_until = time.monotonic() + BACKOFF_SECONDS


def _read_model(host: str) -> Resolution | None:
    row = selectors.resolve_host(host)
    return None if row is None else Resolution(row["bundle_sha256"], resolution_body(row))


def _encode(found: Resolution | None, *, expires: float) -> bytes:
    """`-` and the expiry (Unix time) for an unknown host; else `R`, the expiry, the sha256 and the body,
    newline-separated."""
    if found is None:
        return _UNKNOWN + b"%.3f" % expires
    return _FOUND + b"%.3f\n" % expires + found.sha256.encode() + b"\n" + found.body


def _expires(value: bytes) -> float:
    return float(value[1:].split(b"\n", 1)[0])


def _decode(value: bytes) -> Resolution | None:
    if value.startswith(_UNKNOWN):
        return None
    _, sha256, body = value[1:].split(b"\n", 2)
    return Resolution(sha256.decode(), body)


def _namespace() -> str:
    # The database's name keeps apart databases sharing one Redis (test runs, benchmarks, a laptop).
    return f"{settings.CACHES['default'].get('KEY_PREFIX', '')}:resolve:1:{settings.DATABASES['default']['NAME']}"


def _keys(host: str) -> tuple[str, str]:
    """(answer, generation); the braces keep both in one Redis Cluster slot, as the fill script needs."""
    return f"{_namespace()}:{{{host}}}:answer", f"{_namespace()}:{{{host}}}:generation"


def _channel() -> str:
    return f"{_namespace()}:invalidated"


@lru_cache(maxsize=1)
def _fill():
    return _redis().register_script(_FILL_LUA)


@lru_cache(maxsize=1)
def _redis():
    import redis

    # Short timeouts: a slow Redis must not hold up a lookup the database can answer.
    return redis.Redis.from_url(settings.CACHES["default"]["LOCATION"], socket_timeout=0.5,
                                socket_connect_timeout=0.5, health_check_interval=30)
