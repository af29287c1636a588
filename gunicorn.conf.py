"""gunicorn's settings file, read from the working directory by every `gunicorn` started here (the
image's CMD, docker-compose, tests, bench): with PROMETHEUS_MULTIPROC_DIR set, the metrics directory
is emptied when the master starts and a worker's live gauges go when it exits
(themeconfig/platform/metrics.py). Without it, nothing happens and nothing is imported."""
import os


def on_starting(server):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from themeconfig.platform.metrics import multiprocess_dir_reset

        multiprocess_dir_reset()


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from themeconfig.platform.metrics import multiprocess_process_dead

        multiprocess_process_dead(worker.pid)
