"""A real HTTP endpoint for webhook tests: records every request, answers from a script of statuses."""
from __future__ import annotations

import base64
import hashlib
import hmac
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    path: str
    headers: dict
    body: bytes
    at: float = field(default_factory=time.monotonic)  # when it arrived (time.monotonic())


@dataclass
class Receiver:
    url: str
    statuses: list[int] = field(default_factory=list)  # answered in order; then `then`
    then: int = 200
    delay_seconds: float = 0.0
    # Set: every request hangs (after being recorded) until the event is set, as a stuck endpoint does.
    hold: threading.Event | None = None
    requests: list[Received] = field(default_factory=list)

    def next_status(self) -> int:
        return self.statuses.pop(0) if self.statuses else self.then


def verify(secret: str, received: Received, *, tolerance_seconds: int = 300) -> bool:
    """Checks a delivery's Standard Webhooks signature the way a receiver would."""
    message_id, timestamp = received.headers["webhook-id"], received.headers["webhook-timestamp"]
    if abs(time.time() - int(timestamp)) > tolerance_seconds:
        return False
    key = base64.b64decode(secret.removeprefix("whsec_"))
    expected = base64.b64encode(hmac.new(key, f"{message_id}.{timestamp}.".encode() + received.body,
                                         hashlib.sha256).digest()).decode()
    return any(hmac.compare_digest(f"v1,{expected}", given) for given in received.headers["webhook-signature"].split())


@contextmanager
def webhook_receiver(**options):
    receiver = Receiver(url="", **options)
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's name
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            with lock:
                receiver.requests.append(Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                status = receiver.next_status()
            if receiver.delay_seconds:
                time.sleep(receiver.delay_seconds)
            if receiver.hold is not None:
                receiver.hold.wait(timeout=60)
            self.send_response(status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/theme-config"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        if receiver.hold is not None:
            receiver.hold.set()
        server.shutdown()
        server.server_close()
