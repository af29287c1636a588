"""manage.py serve_metrics: the Prometheus exporter, on a port of its own (never the app's), behind a token."""
import ipaddress
import signal
import threading
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections

from themeconfig.platform import metrics


class _QuietHandler(WSGIRequestHandler):
    # One scrape at a time: a client that connects and then stalls is cut off after this many seconds,
    # not left holding the exporter (and a stop, which waits for the scrape in hand).
    timeout = 10

    def log_message(self, format, *args):  # noqa: A002 - one line per scrape would drown the logs
        pass


def _is_loopback(address: str) -> bool:
    if address == "localhost":
        return True
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


class Command(BaseCommand):
    help = (
        "Serve GET /metrics (Prometheus text format) on METRICS_BIND:METRICS_PORT: the series every gunicorn "
        "worker and Celery process wrote under the multiprocess directories of METRICS_SCRAPE_DIRS (each "
        "service's PROMETHEUS_MULTIPROC_DIR), merged, and the gauges computed at each scrape (outbox backlog "
        "and dead letters, read-model lag, Celery queue lengths; one query each under METRICS_QUERY_TIMEOUT_MS). "
        "A scrape must send 'Authorization: Bearer <METRICS_TOKEN>'; without a token it only listens on loopback. "
        "One scrape at a time, on the service connection."
    )

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=None, help="Address to listen on (default METRICS_BIND).")
        parser.add_argument("--port", type=int, default=None, help="Port (default METRICS_PORT).")
        parser.add_argument("--dir", action="append", default=None, dest="dirs",
                            help="A multiprocess directory to merge (repeatable; default METRICS_SCRAPE_DIRS).")

    def handle(self, *args, bind, port, dirs, **options):
        bind = bind or settings.METRICS_BIND
        port = settings.METRICS_PORT if port is None else port
        dirs = dirs if dirs is not None else settings.METRICS_SCRAPE_DIRS
        token = settings.METRICS_TOKEN
        if not token and not _is_loopback(bind):
            raise CommandError(f"refusing to serve metrics on {bind} without METRICS_TOKEN: set one, or bind to loopback")
        registry = metrics.exposition_registry(dirs)
        app = metrics.metrics_wsgi_app(registry, token=token)

        def scrape(environ, start_response):
            # As Django does around each request: a connection a database restart broke (or one past
            # DATABASE_CONN_MAX_AGE) is replaced, not reused.
            close_old_connections()
            try:
                return app(environ, start_response)
            finally:
                close_old_connections()

        server = make_server(bind, port, scrape, server_class=WSGIServer, handler_class=_QuietHandler)

        def stop(*_):
            # The scrape being answered finishes, then serve_forever() returns. Not an exception raised
            # from here: landing inside a scrape, wsgiref's handler caught it as the request's error and
            # the server went on serving. shutdown() waits for serve_forever(), which runs in this
            # (the main) thread: so from another one.
            threading.Thread(target=server.shutdown, daemon=True).start()

        signal.signal(signal.SIGTERM, stop)
        # Ctrl-C in a terminal; a SIGINT ignored on entry (a background job of scripts/run.sh) stays so.
        if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:
            signal.signal(signal.SIGINT, stop)
        self.stdout.write(f"serving /metrics on {bind}:{server.server_port} "
                          f"({'token required' if token else 'no token: loopback only'}; "
                          f"directories: {', '.join(dirs) or 'none'})", ending="\n")
        self.stdout.flush()
        try:
            server.serve_forever()
        finally:
            server.server_close()
