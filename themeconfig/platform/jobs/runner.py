"""Running one job of any kind on a worker: claim it (row lock, one more run counted, refused once
its runs are spent), move it through its kind's steps, time them on one clock, finish it, or fail it
with an audited error; and the body every job task shares (transient faults retry with backoff, the
last one and any other database fault end the job failed).

One clock: `started_at`, every step's start and end, and `finished_at` are all `timezone.now()` on
the worker, and the step that ends the job ends at the very instant written to `finished_at`, so
a job's steps always fit between its start and its finish (perf_counter timings did not: the flip
was timed past the `finished_at` taken at its start)."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from django.db import DatabaseError, OperationalError, transaction
from django.utils import timezone

from themeconfig.platform import metrics
from themeconfig.platform.jobs.kinds import JobKind
from themeconfig.platform.principal import Principal
from themeconfig.platform.tenant_context import tenant_context

if TYPE_CHECKING:
    from celery import Task

    from themeconfig.platform.jobs.models import Job

MAX_ERROR_MESSAGE = 2000
_J = TypeVar("_J", bound="Job")


class JobFinishedElsewhere(Exception):
    """The job was finished by another path (the reaper, a give-up) while this run went on: stop."""


def _floor_ms(began: datetime, ended: datetime) -> float:
    # Rounded down to a tenth, in whole microseconds, so the steps' sum never passes the job's elapsed time.
    return ((ended - began) // timedelta(microseconds=100)) / 10


@dataclass
class JobSteps:
    """The steps of one run, timed on the job's one clock. `trace()` gives what the job's `trace`
    keeps: `<step>_ms` for each step (what the progress widget shows) and `steps`, each step's
    start and end."""

    timings: dict[str, float] = field(default_factory=dict)
    steps: dict[str, dict[str, Any]] = field(default_factory=dict)
    _open: tuple[str, datetime] | None = None

    def start(self, name: str, at: datetime | None = None) -> datetime:
        at = at or timezone.now()
        if self._open is not None:
            self.finish(at)
        self._open = (name, at)
        return at

    def finish(self, at: datetime | None = None) -> datetime:
        """Ends the open step at `at` (default now): pass the job's `finished_at` for its last step."""
        at = at or timezone.now()
        if self._open is not None:
            name, began = self._open
            self._open = None
            ms = _floor_ms(began, at)
            self.timings[f"{name}_ms"] = ms
            self.steps[name] = {"started_at": began.isoformat(), "finished_at": at.isoformat(), "ms": ms}
        return at

    def trace(self) -> dict[str, Any]:
        return {**self.timings, "steps": dict(self.steps)}


@dataclass
class Claim(Generic[_J]):
    """A claimed job: `job` as it was locked (before this run's update), or, when `over`, as it is
    (missing, finished already, or failed now because its runs were spent); `now` the claim's instant."""

    job: _J | None
    over: bool
    now: datetime
    steps: JobSteps = field(default_factory=JobSteps)

    @property
    def principal(self) -> Principal:
        assert self.job is not None, "a claim that is over has no principal to run as"
        return Principal.from_payload(self.job.principal)


@contextmanager
def job_claimed(kind: JobKind[_J], *, job_id: str, tenant_id: str, status: str) -> Iterator[Claim[_J]]:
    """Locks the job in its tenant's transaction and, unless it is missing, finished or out of runs
    (then `claim.over`), moves it to `status`, counts the run and stamps `started_at` (its first
    run's). The block runs in the same transaction (e.g. to read the job's inputs)."""
    with tenant_context(tenant_id):
        job = kind.model.objects.select_for_update().filter(pk=job_id).first()
        now = timezone.now()
        if job is None or job.status in kind.finished:
            yield Claim(job=job, over=True, now=now)
            return
        if job.attempts >= kind.max_runs:  # e.g. a job that kills its worker process every time
            failed = job_fail(kind, job_id=job_id, tenant_id=tenant_id, code=kind.worker_lost,
                              message=f"no run finished it in {job.attempts} attempts")
            yield Claim(job=failed, over=True, now=now)
            return
        kind.model.objects.filter(pk=job_id).update(status=status, attempts=job.attempts + 1,
                                                    started_at=job.started_at or now, updated_at=now)
        yield Claim(job=job, over=False, now=now)


def job_advance(kind: JobKind[_J], *, job_id: str, tenant_id: str, status: str, **fields: Any) -> _J:
    """Moves an open job to its next step's `status`; JobFinishedElsewhere if it was finished meanwhile."""
    with tenant_context(tenant_id):
        if not kind.model.objects.filter(pk=job_id).exclude(status__in=kind.finished).update(
                status=status, updated_at=timezone.now(), **fields):
            raise JobFinishedElsewhere(job_id)
        return kind.model.objects.get(pk=job_id)


def job_succeed(kind: JobKind[Any], *, job_id: str, steps: JobSteps, trace: dict[str, Any], **fields: Any) -> bool:
    """In the caller's transaction (the one that makes the job's result): marks the open job
    succeeded, its last step ending at its `finished_at`. False if it was finished meanwhile."""
    now = steps.finish()
    done = bool(kind.model.objects.filter(pk=job_id).exclude(status__in=kind.finished).update(
        status=kind.succeeded, finished_at=now, updated_at=now, trace={**trace, **steps.trace()}, **fields))
    if done:  # counted once the success is committed (a rolled-back flip is no success)
        timings = dict(steps.timings)
        transaction.on_commit(lambda: metrics.job_finished(entity_type=kind.entity_type, outcome="succeeded",
                                                           step_ms=timings))
    return done


def job_fail(kind: JobKind[_J], *, job_id: str, tenant_id: str, code: str, message: str, **fields: Any) -> _J:
    """Marks the job failed with `code`/`message` (and any extra columns in `fields`, which may be
    callables of the locked job) and audits `<entity_type>.failed` as the job's principal; a finished
    job is returned unchanged."""
    with tenant_context(tenant_id):
        job = kind.model.objects.select_for_update().get(pk=job_id)
        if job.status in kind.finished:
            return job
        now = timezone.now()
        extra = {name: value(job) if callable(value) else value for name, value in fields.items()}
        kind.model.objects.filter(pk=job_id).update(status=kind.failed, error_code=str(code),
                                                    error_message=message[:MAX_ERROR_MESSAGE], finished_at=now,
                                                    updated_at=now, **extra)
        assert kind.audit is not None, f"job kind {kind.task_name} fails jobs but has no audit writer"
        transaction.on_commit(lambda: metrics.job_finished(entity_type=kind.entity_type, outcome="failed",
                                                           code=str(code)))
        kind.audit(principal=Principal.from_payload(job.principal), action=f"{kind.entity_type}.failed",
                   entity_type=kind.entity_type, entity_id=job_id, old={"status": job.status},
                   new={"status": kind.failed, "error_code": str(code)})
        return kind.model.objects.get(pk=job_id)


def job_task_run(task: Task[Any, Any], *, job_id: str, tenant_id: str, run: Callable[..., Job | None],
                 fail: Callable[..., Job], transient: tuple[type[BaseException], ...] = (OperationalError,),
                 fault_code: str, gave_up: str) -> str:
    """The body of a job's Celery task (bound, acks_late, `autoretry_for=transient`): runs the job;
    a transient fault is raised for the task's retry with backoff, the last one fails the job with
    `fault_code` and `gave_up`; any other database fault fails it at once and is raised."""
    try:
        job = run(job_id=job_id, tenant_id=tenant_id, worker=task.request.hostname)
    except transient:
        if task.max_retries is not None and task.request.retries >= task.max_retries:
            fail(job_id=job_id, tenant_id=tenant_id, code=fault_code, message=gave_up)
            return "failed"
        raise
    except DatabaseError as exc:
        fail(job_id=job_id, tenant_id=tenant_id, code=fault_code, message=str(exc))
        raise
    return job.status if job is not None else "missing"
