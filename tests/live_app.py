"""What tests that serve the app from another process share: a free port, and the URL of one of the
settings' database roles pointed at the pytest database."""
from __future__ import annotations

import socket
from urllib.parse import quote

from django.conf import settings


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def database_url(alias: str, name: str) -> str:
    """The URL of one of settings.DATABASES' roles, pointed at the pytest database `name`."""
    db = settings.DATABASES[alias]
    credentials = quote(db["USER"], safe="")
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = quote(db.get("HOST") or "127.0.0.1", safe="")  # a socket directory becomes %2F…
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{credentials}@{host}{port}/{name}"
