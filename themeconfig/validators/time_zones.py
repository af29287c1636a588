"""The tenant's time zone setting: an IANA name; schedules are stored in UTC and shown and entered in it."""
from __future__ import annotations

import zoneinfo
from functools import cache

DEFAULT_TIME_ZONE = "UTC"


@cache
def available_time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones()) | {DEFAULT_TIME_ZONE}
