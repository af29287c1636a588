"""The columns every job table has, whatever its kind: where it is in its status machine, how many
runs it has had, what it failed with, its trace (steps and their timings, worker) and its times."""
from __future__ import annotations

from django.db import models
from django_rls.models import RLSModel


class Job(RLSModel):
    """A job of some kind, run by a worker and followed by whoever asked for it. The kind's table
    adds what the job is about and its own `status` choices (queued, its steps, then succeeded or
    failed); its SQL gives every column here the same type, default and CHECKs (a finished job,
    and only a finished one, has `finished_at`; a failed job has `error_code`).

    `started_at`, each step's timing in `trace["steps"]` and `finished_at` are read from one clock
    (the worker's `timezone.now()`, runner.JobSteps), so the steps always fit between them."""

    tenant_id = models.TextField()
    status = models.TextField(default="queued")
    error_code = models.TextField(null=True, blank=True)
    error_message = models.TextField(null=True, blank=True)
    trace = models.JSONField(default=dict)
    attempts = models.IntegerField(default=0)
    requested_by = models.TextField()
    principal = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
        ordering = ["-created_at"]
