"""Puts the request id and tenant id on every log record (JSON logs)."""
import contextvars
import logging

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


class RequestIdFilter(logging.Filter):
    """The ids of the unit of work the record belongs to; `-` when it belongs to none.

    Inside a request the context variables hold them. Django logs a request's 4xx/5xx line
    (`django.request`) after the whole middleware chain has returned, when RequestIdMiddleware has
    already reset the variable; that record carries the request itself (`record.request`), so the
    ids come from the request then: its `request_id` and its principal's tenant.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        from themeconfig.platform.tenant_context import current_tenant_id

        # `record.request` is an HttpRequest on django.request/django.security records, a socket on
        # django.server's, anything on others': only a string counts as an id.
        request = getattr(record, "request", None)
        principal = getattr(request, "principal", None)
        record.request_id = _text(request_id_var.get()) or _text(getattr(request, "request_id", None)) or "-"
        record.tenant_id = current_tenant_id() or _text(getattr(principal, "tenant_id", None)) or "-"
        return True


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value and value != "-" else None
