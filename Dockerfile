# theme-config image: web (gunicorn), Celery worker and beat share it.
FROM python:3.11-slim AS base
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
RUN useradd --create-home --uid 10001 app
COPY pyproject.toml README.md ./
COPY config ./config
COPY themeconfig ./themeconfig
COPY publishing ./publishing
COPY ai_workspace ./ai_workspace
COPY manage.py gunicorn.conf.py ./
RUN pip install . \
 && DJANGO_SETTINGS_MODULE=config.settings.base DJANGO_SECRET_KEY=build-only python manage.py collectstatic --noinput
USER app
# Metrics: set PROMETHEUS_MULTIPROC_DIR per service (gunicorn.conf.py empties it at start); the
# exporter is `python manage.py serve_metrics` on METRICS_PORT (README "Metrics").
EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
