"""Puts the request id and tenant id on every log record (JSON logs)."""
import contextvars
import logging

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        from themeconfig.platform.tenant_context import current_tenant_id

        record.request_id = request_id_var.get()
        record.tenant_id = current_tenant_id() or "-"
        return True
