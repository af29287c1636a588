"""The Celery app: broker and result backend on Redis; tasks autodiscovered from the apps."""
import os

from celery import Celery
from celery.signals import worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("theme_config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
def _metrics_dir_reset(**_kwargs) -> None:
    """The worker's main process, before its pool starts: its metrics directory starts empty."""
    from themeconfig.platform.metrics import multiprocess_dir_reset

    multiprocess_dir_reset()
