"""The admin's progress widget for jobs of every kind: the script (static/platform/jobs/job-progress.js)
that follows each element with a `data-job-poll-url`, the poll's answer it reads, and the flash
message a page shows when it asks for a job, which goes once the job has ended (the page says what
is true then: the message on a page drawn for a finished job, the script on a page that saw it end).

A kind's view answers `?job=<id>&format=json` with `job_poll_response`: the job's state (`status`,
`attempts`, `finished`, and whatever else its callers read), the element's new inner HTML, and, once
the job has finished, the parts of the page the job changed (`refreshed`, element id → HTML): the
redraw hook. A kind with more to redraw listens to the `job:finished` event the script sends."""
from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, JsonResponse

JOB_PROGRESS_JS = "platform/jobs/job-progress.js"
# The flash message's class; admin/themeconfig/workspace_page.html leaves it out when `job_finished`.
JOB_STARTED = "tc-job-started"


def job_started_message(request: HttpRequest, text: str) -> None:
    """'…: the job is under way.' for the page that follows the job; not shown once it has ended."""
    messages.success(request, text, extra_tags=JOB_STARTED)


def job_poll_response(job: dict[str, Any], *, html: str | None = None, refreshed: dict[str, str] | None = None,
                      **extra: Any) -> JsonResponse:
    """The poll's answer (never cached): `job` must hold `status`, `attempts` and `finished`."""
    response = JsonResponse({"job": job, **extra, "html": html, "refreshed": refreshed or {}})
    response["Cache-Control"] = "no-store"
    return response
