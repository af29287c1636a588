"""One machinery for background jobs of every kind (publish, AI generation, …): the abstract job
model (models.py), handing a job to a worker and again after a broker outage (dispatch.py), running
one (runner.py: claim, steps on one clock, audited failure, the task body), the stale-job reaper
(reaper.py) and the admin's progress widget (templates/admin/platform/job_*.html and
static/platform/jobs/job-progress.js). Each kind keeps its own table and steps; README.md
("Adding a job kind") says what a new kind writes."""
