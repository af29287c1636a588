"""What the machinery needs to know about a job kind, and the registry of kinds (for the beat-driven
redispatch). Each app declares its kinds next to their use cases and registers them from its
AppConfig.ready()."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

if TYPE_CHECKING:
    from themeconfig.platform.jobs.models import Job

_J = TypeVar("_J", bound="Job")


@dataclass(frozen=True)
class JobKind(Generic[_J]):
    """A table of jobs (a subclass of jobs.models.Job) and the Celery task (by name,
    `task(job_id=, tenant_id=)`) that runs one.

    `finished` are its end states (`succeeded` and `failed` among them); `entity_type` names its
    rows in the audit log (`<entity_type>.failed`); `max_runs` is how many runs a job gets before
    the next is refused with `worker_lost` (a job that kills its worker every time); `audit` is the
    audit log's writer (`themeconfig.services.audit.audit_record`), given by the app so that the
    platform does not import services."""

    model: type[_J]
    task_name: str
    finished: tuple[str, ...] = ("succeeded", "failed")
    succeeded: str = "succeeded"
    failed: str = "failed"
    entity_type: str = ""
    max_runs: int = 1
    worker_lost: str = ""
    audit: Callable[..., object] | None = None


_kinds: dict[str, JobKind[Any]] = {}


def job_kind_register(kind: JobKind[Any]) -> None:
    _kinds[kind.task_name] = kind


def job_kinds() -> list[JobKind[Any]]:
    return list(_kinds.values())
