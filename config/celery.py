"""The Celery app: broker and result backend on Redis; tasks autodiscovered from the apps."""
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("theme_config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
