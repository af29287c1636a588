"""The CDN adapter: after a flip, the bundle paths a CDN may have cached are purged.

`CDN_PURGE_URL` unset → a logging adapter (nothing to purge locally); set → an HTTP adapter that
POSTs `{"paths": [...]}` there and records the invalidation id the CDN answers (or a local one).
"""
from __future__ import annotations

import json
import logging
import urllib.request
import uuid
from typing import Protocol

from django.conf import settings

logger = logging.getLogger(__name__)


class Cdn(Protocol):
    def invalidate(self, paths: list[str]) -> str: ...


class LoggingCdn:
    def invalidate(self, paths: list[str]) -> str:
        invalidation_id = f"log-{uuid.uuid4().hex[:12]}"
        logger.info("CDN invalidation %s (logging adapter): %s", invalidation_id, ", ".join(paths))
        return invalidation_id


class HttpPurgeCdn:
    def __init__(self, url: str, timeout: float = 5.0):
        self.url, self.timeout = url, timeout

    def invalidate(self, paths: list[str]) -> str:
        request = urllib.request.Request(self.url, data=json.dumps({"paths": paths}).encode(), method="POST",
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 - operator-configured URL
            body = response.read()
        try:
            return str(json.loads(body).get("id") or f"http-{uuid.uuid4().hex[:12]}")
        except (ValueError, AttributeError):
            return f"http-{uuid.uuid4().hex[:12]}"


def cdn() -> Cdn:
    url = getattr(settings, "CDN_PURGE_URL", "")
    return HttpPurgeCdn(url) if url else LoggingCdn()
