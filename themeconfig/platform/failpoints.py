"""Named points where a test or a fault drill makes the code sleep, raise or die (the FAILPOINTS setting).

`failpoint("publish.in_flip")` does nothing unless `settings.FAILPOINTS` (env `FAILPOINTS`) names it,
so in production it costs one dict lookup. A spec is `name=action[,name=action…]`, an action one of

    sleep:SECONDS        hold here (a worker killed meanwhile dies at exactly this point)
    raise                raise OSError (a transient fault: the publish task retries it)
    raise:EXCEPTION      raise that exception class (a builtin name or a dotted path)
    kill                 SIGKILL this very process (a crash at exactly this point)

optionally prefixed with `N*` to act on the first N passes through the point in this process only
(`1*raise` fails once, then the retry passes). For tests and fault drills only, never in production.
"""
from __future__ import annotations

import builtins
import logging
import os
import signal
import threading
import time

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)
_passes: dict[str, int] = {}
_passes_lock = threading.Lock()


class FailpointError(ValueError):
    """A FAILPOINTS action this module does not understand."""


def failpoint(name: str) -> None:
    """Acts as FAILPOINTS says for `name`; returns at once when it names nothing here."""
    points = getattr(settings, "FAILPOINTS", None)
    spec = points.get(name) if points else None
    if not spec:
        return
    action = str(spec).strip()
    if "*" in action:
        limit, action = action.split("*", 1)
        with _passes_lock:
            _passes[name] = seen = _passes.get(name, 0) + 1
        if seen > int(limit):
            return
    verb, _, argument = action.partition(":")
    logger.warning("failpoint %s: %s (pid %s)", name, action, os.getpid())
    if verb == "sleep":
        time.sleep(float(argument))
    elif verb == "raise":
        raise _exception(argument)(f"failpoint {name}")
    elif verb == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    else:
        raise FailpointError(f"failpoint {name}: unknown action {spec!r}")


def _exception(argument: str) -> type[BaseException]:
    if not argument:
        return OSError
    found = getattr(builtins, argument, None) if "." not in argument else import_string(argument)
    if not (isinstance(found, type) and issubclass(found, BaseException)):
        raise FailpointError(f"not an exception class: {argument!r}")
    return found


def reset_failpoint_passes() -> None:
    """Forgets how often each point was passed (tests that use `N*` in-process)."""
    with _passes_lock:
        _passes.clear()
