"""Settings shared by every environment; everything that varies comes from the environment."""
from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote, urlsplit

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("DJANGO_SECRET_KEY", default="insecure-local-only-key-change-me")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", ".localhost"])

INSTALLED_APPS = [
    "themeconfig.admin_apps.TenantAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_rls",
    "axes",
    "themeconfig",
    "publishing",
    "ai_workspace",
]

MIDDLEWARE = [
    # First, so a request's time and status per route cover every other middleware (METRICS_ENABLED).
    "themeconfig.platform.metrics.RequestMetricsMiddleware",
    "themeconfig.platform.middleware.RequestIdMiddleware",
    # Before anything reads the database: a NUL in an /api/ path or query is a 400 problem.
    "themeconfig.platform.api.middleware.ApiRequestGuardMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before the session and auth middleware: public paths (resolve/, preview) never see credentials.
    "themeconfig.platform.middleware.PublicEndpointMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # A GET/HEAD whose database connection broke under it runs once more on a fresh one.
    "themeconfig.platform.database_faults.ReadRetryMiddleware",
    "themeconfig.platform.middleware.TenantMiddleware",
    # Last, as django-axes asks: turns a locked-out login into its 429 answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # The project's admin templates first: app directories are searched in INSTALLED_APPS
        # order, where django.contrib.admin (TenantAdminConfig) comes before themeconfig, so its
        # admin/base_site.html would win over ours and hide the tenant indicator.
        "DIRS": [BASE_DIR / "themeconfig" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "themeconfig.admin_site.tenant_context_processor",
            ],
        },
    },
]

# --- Databases -------------------------------------------------------------------------------
# One alias per role (see README "Database roles"). Requests use `default` (theme_config_app,
# RLS-bound); `migrate` uses `migrator`; cross-tenant infrastructure work uses `service`; the
# public preview-by-token read uses `preview`.
_LOCAL_DB = "127.0.0.1:5432/theme_config"
_DB_OPTIONS = {
    # PgBouncer in transaction mode (1.18 here) cannot keep prepared statements across
    # transactions, so psycopg must never prepare.
    "prepare_threshold": None,
    "application_name": env("DATABASE_APPLICATION_NAME", default="theme-config"),
    # A database that does not answer is an error (a 503) after this long, not a hung request.
    "connect_timeout": env.int("DATABASE_CONNECT_TIMEOUT", default=5),
}


def _database(var: str, default_url: str) -> dict:
    config = env.db_url(var, default=default_url)
    # A Unix-socket directory as host (`postgres://user@%2Fpath%2Fto%2Fdir/db`, as the embedded
    # PostgreSQL gives): django-environ lower-cases it and leaves it quoted.
    netloc = urlsplit(env.str(var, default=default_url)).netloc.rsplit("@", 1)[-1]
    if netloc.lower().startswith("%2f"):
        config["HOST"], config["PORT"] = unquote(netloc), ""
    config["ENGINE"] = "django.db.backends.postgresql"
    config.setdefault("OPTIONS", {}).update(_DB_OPTIONS)
    config["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=0)
    config["CONN_HEALTH_CHECKS"] = True
    # Server-side cursors do not survive PgBouncer's transaction pooling.
    config["DISABLE_SERVER_SIDE_CURSORS"] = True
    return config


DATABASES = {
    "default": _database("DATABASE_URL", f"postgres://theme_config_app@{_LOCAL_DB}"),
    "migrator": _database("MIGRATOR_DATABASE_URL", f"postgres://theme_config_migrator@{_LOCAL_DB}"),
    "service": _database("SERVICE_DATABASE_URL", f"postgres://theme_config_service@{_LOCAL_DB}"),
    # The public preview read only (publishing/preview.py): the role can execute one function and
    # read no table; an execute wrapper refuses every other statement on this alias.
    "preview": _database("PREVIEW_DATABASE_URL", f"postgres://theme_config_preview_reader@{_LOCAL_DB}"),
}
# The streaming replica, as theme_config_ro (RLS-bound, SELECT only): reads that tolerate lag go there
# (themeconfig/platform/read_replica.py; README "Read replica"). Unset: every read is on the primary.
if env("READONLY_DATABASE_URL", default=""):
    DATABASES["readonly"] = _database("READONLY_DATABASE_URL", "")
    # A replica that does not answer costs this long once per REPLICA_CHECK_SECONDS, then the primary answers.
    DATABASES["readonly"]["OPTIONS"]["connect_timeout"] = env.int("REPLICA_CONNECT_TIMEOUT", default=2)
# Past this replay lag (seconds) the replica is skipped and the primary answers (counted).
REPLICA_MAX_LAG_SECONDS = env.float("REPLICA_MAX_LAG_SECONDS", default=5.0)
# How long a process reuses its last look at the replica (reachable? lag?) before looking again.
REPLICA_CHECK_SECONDS = env.float("REPLICA_CHECK_SECONDS", default=1.0)
# After a caller's write, its own lag-tolerant reads stay on the primary this long. At least the lag
# bound plus the check interval: a replica still in use is never further behind than that.
REPLICA_READ_YOUR_WRITES_SECONDS = env.int(
    "REPLICA_READ_YOUR_WRITES_SECONDS", default=int(REPLICA_MAX_LAG_SECONDS + REPLICA_CHECK_SECONDS) + 1)
# Superuser URL used only by `bootstrap_db` (roles, schemas, grants) and test database set-up.
ADMIN_DATABASE_URL = env("ADMIN_DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/postgres")
DATABASE_ROUTERS = ["themeconfig.platform.db_router.RoleRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The statement timeout is set on the roles by bootstrap_db (so it holds through PgBouncer).
STATEMENT_TIMEOUT = env("DATABASE_STATEMENT_TIMEOUT", default="30s")
# Retry-After of the 503 a request gets while the database is unreachable or timing out.
DATABASE_RETRY_AFTER_SECONDS = env.int("DATABASE_RETRY_AFTER_SECONDS", default=5)

# --- Redis / Celery --------------------------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/0")
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=REDIS_URL)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "theme-config"
# The seed's materialized views are refreshed on a queue of their own (a refresh takes seconds at
# 100k themes): a worker started with `-Q theme-config` (publish, relay, jobs) never waits behind
# one, and a second worker with `-Q theme-config-views --concurrency 1` runs them (scripts/run.sh,
# docker-compose.yml). Beat's entry below is routed the same way.
VIEWS_REFRESH_QUEUE = env("VIEWS_REFRESH_QUEUE", default="theme-config-views")
CELERY_TASK_ROUTES = {"publishing.refresh_read_models_task": {"queue": VIEWS_REFRESH_QUEUE}}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Bounds every read and connect on the broker's sockets. Celery 5.6 (held below 5.7, pyproject.toml)
# cleans up a lost connection without a timeout of its own (celery/celery GH-9705): a Redis that
# vanishes without closing TCP (failover, a NAT or firewall dropping the flow) would otherwise hold
# the worker there for good. BRPOP waits 1 s at a time, so 30 s never cuts a healthy read short.
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_timeout": 30, "socket_connect_timeout": 5}
# Fault injection for tests and fault drills only (themeconfig/platform/failpoints.py), e.g.
# FAILPOINTS=publish.after_upload=sleep:30,publish.in_flip=1*raise. Empty in production.
FAILPOINTS: dict = env.dict("FAILPOINTS", default={})
# How often beat looks for jobs whose enqueue failed during a broker outage (seconds).
JOB_REDISPATCH_SECONDS = env.float("JOB_REDISPATCH_SECONDS", default=5.0)
# How often beat starts due publish schedules (publishing/services/schedules.py): a schedule starts
# within this long of its time (issue 21 asks for a minute).
SCHEDULE_SCAN_SECONDS = env.float("SCHEDULE_SCAN_SECONDS", default=20.0)
CELERY_BEAT_SCHEDULE: dict = {
    # The audit log's monthly partitions, this month and three ahead; idempotent, so daily runs
    # (and a missed one) are harmless. Inserts never fail meanwhile: the DEFAULT partition takes them.
    "ensure-audit-partitions": {
        "task": "themeconfig.ensure_audit_partitions_task",
        "schedule": 24 * 60 * 60,
        "kwargs": {"months_ahead": 3},
    },
    # Jobs (publish, AI generation) asked for while the broker was down: sent as soon as it is back,
    # rather than by the reapers below minutes later (themeconfig/platform/jobs/dispatch.py).
    "redispatch-jobs": {"task": "themeconfig.redispatch_jobs_task", "schedule": JOB_REDISPATCH_SECONDS},
    # Publish jobs a lost worker (or a lost enqueue) left open: run again, or fail after 5 attempts.
    "reap-stale-publish-jobs": {"task": "publishing.reap_stale_publish_jobs_task", "schedule": 60},
    # The same for AI generation jobs (a provider call can take a while: stale after 10 minutes).
    "reap-stale-generation-jobs": {"task": "ai_workspace.reap_stale_generation_jobs_task", "schedule": 120},
    # The same for tenant export jobs (a large tenant takes a while: stale after 15 minutes).
    "reap-stale-tenant-export-jobs": {"task": "publishing.reap_stale_tenant_export_jobs_task", "schedule": 300},
    # Scheduled publishes and reverts that fell due: each started once as a publish job.
    "run-due-schedules": {"task": "publishing.run_due_schedules_task", "schedule": SCHEDULE_SCAN_SECONDS},
    # The outbox relay is woken after each commit that writes an event; this drains what a lost
    # wake-up or a backoff left behind.
    "relay-outbox": {"task": "publishing.relay_outbox_task", "schedule": 15},
    # A read-model refresh whose scheduled task was lost (it only refreshes when one is due).
    "refresh-read-models": {"task": "publishing.refresh_read_models_task", "schedule": 60},
    # Pending hosts' DNS challenges, each with its own backoff (only the due ones are checked).
    "verify-pending-hosts": {"task": "themeconfig.verify_pending_hosts_task", "schedule": 60},
    # Retention of seed 000 §8, every row (RETENTION_* below), on the service connection.
    "purge-expired": {"task": "publishing.purge_expired_task", "schedule": 24 * 60 * 60},
}

# --- Metrics (themeconfig/platform/metrics.py; README "Metrics") -----------------------------
# Off: no request is timed or counted (the middleware steps aside); jobs and caches still count.
METRICS_ENABLED = env.bool("METRICS_ENABLED", default=True)
# `manage.py serve_metrics`: where it listens (never the app's port), the bearer token a scrape must
# send (required unless it listens on loopback only), and the multiprocess directories it merges
# (each service's PROMETHEUS_MULTIPROC_DIR; comma-separated).
METRICS_BIND = env("METRICS_BIND", default="127.0.0.1")
METRICS_PORT = env.int("METRICS_PORT", default=9108)
METRICS_TOKEN = env("METRICS_TOKEN", default="")
METRICS_SCRAPE_DIRS: list = env.list("METRICS_SCRAPE_DIRS", default=[])
# Each scrape-time gauge's query (or broker round trip) is cut off after this long.
METRICS_QUERY_TIMEOUT_MS = env.int("METRICS_QUERY_TIMEOUT_MS", default=2000)

# --- Retention (seed 000 §8; publishing/retention.py, `manage.py purge_expired`) ---------------
# Seed defaults; each window is counted from the moment named in the README's retention table.
RETENTION_DELETED_THEMES_DAYS = env.int("RETENTION_DELETED_THEMES_DAYS", default=30)
RETENTION_ARCHIVED_VERSIONS_DAYS = env.int("RETENTION_ARCHIVED_VERSIONS_DAYS", default=365)
RETENTION_AI_DRAFTS_DAYS = env.int("RETENTION_AI_DRAFTS_DAYS", default=365)
RETENTION_PREVIEW_TOKENS_DAYS = env.int("RETENTION_PREVIEW_TOKENS_DAYS", default=7)
RETENTION_OUTBOX_DAYS = env.int("RETENTION_OUTBOX_DAYS", default=7)
RETENTION_CONSUMED_EVENTS_DAYS = env.int("RETENTION_CONSUMED_EVENTS_DAYS", default=90)
RETENTION_IDEMPOTENCY_KEYS_HOURS = env.int("RETENTION_IDEMPOTENCY_KEYS_HOURS", default=24)
# Seed 004: audit logs are kept 3 years at least.
RETENTION_AUDIT_LOG_MONTHS = env.int("RETENTION_AUDIT_LOG_MONTHS", default=36)
# Rows per DELETE (each its own short transaction, so no lock is held for long).
RETENTION_BATCH = env.int("RETENTION_BATCH", default=5000)
# Tenant erasure (issue 18): days between `erase_tenant --confirm` and the erasure by purge_expired.
TENANT_ERASURE_GRACE_DAYS = env.int("TENANT_ERASURE_GRACE_DAYS", default=30)
# `manage.py backup` reads through this URL (it must read past RLS: a superuser or a BYPASSRLS role);
# empty: ADMIN_DATABASE_URL on the service's database.
BACKUP_DATABASE_URL = env("BACKUP_DATABASE_URL", default="")
# Where `manage.py backup` writes when no --output is given.
BACKUP_DIR = env.path("BACKUP_DIR", default=str(BASE_DIR / ".data" / "backups"))
# Migrations wait this long for a lock, then fail rather than queue every query behind them.
MIGRATION_LOCK_TIMEOUT = env("MIGRATION_LOCK_TIMEOUT", default="5s")

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "theme-config",
    }
}

# --- Auth / i18n / static --------------------------------------------------------------------
# django-axes first: it refuses a locked-out username or address before any password is checked.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(BASE_DIR / ".data" / "media"))
# Where filesystem bundles are served by the app itself (publishing/bundles/files.py), DEBUG or not.
BUNDLE_BASE_URL = env("BUNDLE_BASE_URL", default="/media/")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    # Published bundles (publishing/bundles/storage.py), written once under content-addressed keys. The
    # filesystem by default; S3 or GCS through django-storages with BUNDLE_STORAGE_BACKEND (e.g.
    # storages.backends.s3.S3Storage) and BUNDLE_STORAGE_OPTIONS (that backend's options, as JSON).
    "bundles": {
        "BACKEND": env("BUNDLE_STORAGE_BACKEND", default="django.core.files.storage.FileSystemStorage"),
        "OPTIONS": env.json("BUNDLE_STORAGE_OPTIONS", default={}) or (
            {"location": str(Path(MEDIA_ROOT)), "base_url": BUNDLE_BASE_URL}
            if not env("BUNDLE_STORAGE_BACKEND", default="") else {}
        ),
    },
}

# --- DRF / OpenAPI ---------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "themeconfig.platform.api.authentication.ApiKeyAuthentication",
        "themeconfig.platform.api.authentication.TenantSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["themeconfig.platform.api.permissions.HasTenant"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["themeconfig.platform.api.parsers.StrictJSONParser"],
    "DEFAULT_PAGINATION_CLASS": "themeconfig.platform.api.pagination.CursorPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "themeconfig.platform.api.exceptions.problem_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "themeconfig.platform.api.schema.PermissionAwareAutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # Per API key and per signed-in user (THROTTLE_RATES below); the public views are limited per
    # address by PublicEndpointMiddleware instead, requests without a principal by TenantMiddleware.
    "DEFAULT_THROTTLE_CLASSES": ["themeconfig.platform.api.throttling.PrincipalRateThrottle"],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "theme-config API",
    "DESCRIPTION": "Configure, preview and publish guest-facing booking-site themes.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI assets are served from our static files, not a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # The enum hook first (it names the shared enums), then every operation's problem+json errors.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "themeconfig.platform.api.openapi.postprocess_problem_responses",
    ],
    "ENUM_NAME_OVERRIDES": {
        "ThemeStatusEnum": "themeconfig.models.ThemeStatus",
        "VersionStatusEnum": "themeconfig.models.ThemeVersionStatus",
        "ContentSurfaceEnum": "themeconfig.models.ContentSurface",
        "NavigationSurfaceEnum": "themeconfig.models.NavigationSurface",
        "LayoutSurfaceEnum": "themeconfig.models.LayoutSurface",
        "PublishKindEnum": "publishing.models.PublishJobKind",  # also a publication's reason
        "PublishJobStatusEnum": "publishing.models.PublishJobStatus",
        "DraftStatusEnum": "ai_workspace.models.DraftStatus",
        "RolloutStatusEnum": "publishing.models.RolloutStatus",
    },
}

DJANGO_RLS = {
    # Policies are created by our migrations (the DDL of seed 000), never by django-rls at
    # runtime; its session-scoped context would leak under PgBouncer transaction pooling.
    "AUTO_ENABLE_RLS": False,
    "RESET_CONTEXT_ON_CONNECT": False,
}

# --- Logging ---------------------------------------------------------------------------------
LOG_LEVEL = env("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "themeconfig.platform.logging.RequestIdFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s %(tenant_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "json", "filters": ["request_id"]},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Django's DEFAULT_LOGGING gives "django" handlers of its own (a plain-text console when
        # DEBUG is on, mail_admins when off) on top of propagating to root, so each of its records
        # was printed twice. No handlers here: one JSON line, from root. Level NOTSET: root's.
        "django": {"handlers": [], "level": "NOTSET", "propagate": True},
        "django.db.backends": {"level": "INFO"},
        "celery": {"level": LOG_LEVEL},
    },
}

# A request body above this is refused with 413 (Django's own check, mapped to problem+json).
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("API_MAX_BODY_BYTES", default=1_048_576)

# --- theme-config ----------------------------------------------------------------------------
API_KEY_PREFIX = "tck"
# A non-default locale pack must be at least this complete (percent of the default pack's keys)
# for its version to be marked preview-ready; missing keys fall back along the fallback chain.
PREVIEW_READY_MIN_LOCALE_COMPLETENESS = env.float("PREVIEW_READY_MIN_LOCALE_COMPLETENESS", default=80.0)
# Preview links: lifetime when none is asked for, and the longest one may ask for.
PREVIEW_TOKEN_DEFAULT_DAYS = 7
PREVIEW_TOKEN_MAX_DAYS = 30
# After each flip, POST {"paths": [...]} here to purge a CDN; unset: the purge is only logged.
CDN_PURGE_URL = env("CDN_PURGE_URL", default="")
# The environment a routing flag's `env` scope names when none is given (seed 003's env scope).
ROUTING_FLAG_ENV = env("ROUTING_FLAG_ENV", default="production")
# How long a client or CDN may reuse a /resolve/ answer (its ETag makes revalidation cheap).
RESOLVE_MAX_AGE_SECONDS = 60
# How long Redis keeps a host's /resolve/ answer (publishing/resolve/cache.py); a safety net only,
# since no entry older than a commit that moved its host is used. 0: no cache. Web and worker alike.
RESOLVE_CACHE_SECONDS = env.int("RESOLVE_CACHE_SECONDS", default=30)
# The session each process LISTENs on for resolve generations (publishing/resolve/cache.py). It must
# reach PostgreSQL itself, not a transaction pooler (notifications need a session); empty: the
# `default` alias's own settings. A process that cannot listen serves no cached answer.
RESOLVE_LISTEN_DATABASE_URL = env("RESOLVE_LISTEN_DATABASE_URL", default="")

# --- client addresses, rate limits, login lockout ---------------------------------------------
# Reverse proxies in front of the app that append to X-Forwarded-For; 0: the client is REMOTE_ADDR
# (themeconfig/platform/client_address.py). Rate limits, login lockouts and the audit log use it.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# Rate limits (platform/throttling.py): "N/s|min|hour|day", empty or "off" for none. Public paths
# per client address, the API per API key and per signed-in user, and API requests without a valid
# principal (no or a bad key: the 401s) per client address; 429 problem+json with Retry-After.
THROTTLE_RATES = {
    "resolve": env("THROTTLE_RESOLVE_RATE", default="1200/min"),
    "preview": env("THROTTLE_PREVIEW_RATE", default="120/min"),
    "bundle": env("THROTTLE_BUNDLE_RATE", default="1200/min"),
    "api_key": env("THROTTLE_API_KEY_RATE", default="1200/min"),
    "user": env("THROTTLE_USER_RATE", default="600/min"),
    "anonymous": env("THROTTLE_ANONYMOUS_RATE", default="60/min"),
}
# Admin sign-in lockout (django-axes, tenant admin and /platform/ alike): after this many failures a
# username is locked, and separately the address they came from, for LOGIN_LOCKOUT_MINUTES. Unlock
# at once with `manage.py axes_reset_username NAME` or `axes_reset_ip ADDRESS` (README).
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.float("LOGIN_LOCKOUT_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # either one locks, each counted on its own
AXES_CLIENT_IP_CALLABLE = "themeconfig.platform.client_address.client_address"
AXES_RESET_ON_SUCCESS = True
AXES_HTTP_RESPONSE_CODE = 429
# The admin's own page (how long, how to get back) rather than axes' bare line of text.
AXES_LOCKOUT_CALLABLE = "themeconfig.sign_in_lockout.locked_out_view"
# Its attempts list every tenant's usernames and addresses: never on the tenant admin.
AXES_ENABLE_ADMIN = False
AXES_VERBOSE = False
# Failures only: a row per successful sign-in would grow without a purge (last_login keeps the latest).
AXES_DISABLE_ACCESS_LOG = True
# Host verification (themeconfig/services/host_verification.py): the DNS servers asked for the
# `_theme-config.<host>` TXT challenge (empty: the system's resolver), their port, the time per
# look-up, the backoff between failed checks, and how long a host may stay pending before it is removed.
HOST_VERIFICATION_NAMESERVERS = env.list("HOST_VERIFICATION_NAMESERVERS", default=[])
HOST_VERIFICATION_DNS_PORT = env.int("HOST_VERIFICATION_DNS_PORT", default=53)
HOST_VERIFICATION_DNS_TIMEOUT_SECONDS = env.float("HOST_VERIFICATION_DNS_TIMEOUT_SECONDS", default=3.0)
HOST_VERIFICATION_RETRY_BASE_SECONDS = env.int("HOST_VERIFICATION_RETRY_BASE_SECONDS", default=60)
HOST_VERIFICATION_RETRY_MAX_SECONDS = env.int("HOST_VERIFICATION_RETRY_MAX_SECONDS", default=6 * 60 * 60)
HOST_VERIFICATION_EXPIRY_DAYS = env.int("HOST_VERIFICATION_EXPIRY_DAYS", default=7)
# Hosts (besides each tenant's verified ones) that preview pages may load content images from, e.g. your CDN.
PREVIEW_IMAGE_ASSET_HOSTS = env.list("PREVIEW_IMAGE_ASSET_HOSTS", default=[])

# --- outbox relay and webhooks (publishing/outbox/relay.py, publishing/outbox/webhooks.py) -------
OUTBOX_BATCH_SIZE = env.int("OUTBOX_BATCH_SIZE", default=100)
# Tries per event before it is dead-lettered; the n-th retry waits base·2^(n-1) s (±20 %), capped.
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=10)
OUTBOX_RETRY_BASE_SECONDS = env.float("OUTBOX_RETRY_BASE_SECONDS", default=2.0)
OUTBOX_RETRY_MAX_SECONDS = env.float("OUTBOX_RETRY_MAX_SECONDS", default=3600.0)
# How long a relay's claim on an event lasts (renewed while it works on it); a relay that dies
# mid-delivery holds the event (and its theme's later events) this long at most.
OUTBOX_LEASE_SECONDS = env.float("OUTBOX_LEASE_SECONDS", default=60.0)
# Webhook POSTs one relay makes at once (threads); a receiver that hangs holds one of them.
WEBHOOK_DELIVERY_CONCURRENCY = env.int("WEBHOOK_DELIVERY_CONCURRENCY", default=8)
# Legacy: the Fernet key that encrypted webhook signing secrets before FIELD_ENCRYPTION_KEYS (unset:
# derived from SECRET_KEY). Only migration publishing 0019 reads it, to re-encrypt those secrets.
WEBHOOK_SECRET_KEY = env("WEBHOOK_SECRET_KEY", default="")

# E-mail (four-eyes notifications): EMAIL_URL in django-environ's form, e.g.
# smtp+tls://user:password@smtp.example.com:587; the default prints messages to the console.
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="theme-config <noreply@localhost>")
# Where the tenant admin is served, for the links in e-mails (e.g. https://themes.example.com).
ADMIN_BASE_URL = env("ADMIN_BASE_URL", default="http://localhost:8000")
# Hosts, addresses or networks (CIDR) that may receive webhooks although private/loopback, and
# over plain http: e.g. "hooks.internal,10.0.0.0/8". Empty: public https endpoints only.
WEBHOOK_ALLOWED_PRIVATE_TARGETS = env.list("WEBHOOK_ALLOWED_PRIVATE_TARGETS", default=[])
WEBHOOK_CONNECT_TIMEOUT_SECONDS = env.float("WEBHOOK_CONNECT_TIMEOUT_SECONDS", default=3.0)
WEBHOOK_READ_TIMEOUT_SECONDS = env.float("WEBHOOK_READ_TIMEOUT_SECONDS", default=5.0)
# The seed's materialized views are refreshed at most this often (start to start), coalesced.
READ_MODEL_REFRESH_MIN_INTERVAL_SECONDS = env.float("READ_MODEL_REFRESH_MIN_INTERVAL_SECONDS", default=5.0)

# --- AI workspace providers (ai_workspace/providers/) -------------------------------------------
# "offline" (no network, no model: OKLCH palettes, pseudo-localisation, templates), "http" (any
# OpenAI-compatible chat-completions endpoint), or a dotted path to a provider class.
AI_PROVIDER = env("AI_PROVIDER", default="offline")
AI_HTTP_BASE_URL = env("AI_HTTP_BASE_URL", default="")  # the API root before /chat/completions
AI_HTTP_API_KEY = env("AI_HTTP_API_KEY", default="")
AI_HTTP_MODEL = env("AI_HTTP_MODEL", default="")
AI_HTTP_TIMEOUT_SECONDS = env.float("AI_HTTP_TIMEOUT_SECONDS", default=30.0)  # per connect / per read
AI_HTTP_MAX_RETRIES = env.int("AI_HTTP_MAX_RETRIES", default=3)
# Per-tenant limits on generation (429 problem+json past them): drafts waiting for review (pending
# drafts plus unfinished jobs), and jobs asked for in any 24 hours.
AI_MAX_PENDING_DRAFTS = env.int("AI_MAX_PENDING_DRAFTS", default=50)
AI_MAX_GENERATIONS_PER_DAY = env.int("AI_MAX_GENERATIONS_PER_DAY", default=200)

# --- secrets and personal data at rest (themeconfig/platform/encryption.py) ---------------------
# Fernet keys, comma-separated, newest first: the newest encrypts, all decrypt (rotation: README).
# Empty is refused at first use; local.py (DEBUG) and test.py fall back to the public dev key below,
# production.py refuses to start without keys.
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[])
FIELD_ENCRYPTION_DEV_KEY = "dGhlbWUtY29uZmlnIGxvY2FsIGRldiBrZXkgISEhISE="  # public: never for real data
# Audit-log IP addresses older than this are cut to their /24 (IPv4) or /48 (IPv6) network by
# purge_expired (kind audit_ip_coarsen).
AUDIT_IP_COARSEN_DAYS = env.int("AUDIT_IP_COARSEN_DAYS", default=90)
