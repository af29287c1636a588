"""docker-compose.yml stays a valid, complete description of the stack (Docker does not run here)."""
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent.parent


def _compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose__services__the_whole_stack():
    services = _compose()["services"]
    assert set(services) == {"postgres", "redis", "pgbouncer", "setup", "web", "worker", "views-worker", "beat", "metrics"}
    assert services["postgres"]["image"] == "postgres:16"
    assert services["redis"]["image"] == "redis:7"


def test_compose__app_services__same_environment_through_pgbouncer():
    services = _compose()["services"]
    for name in ("setup", "web", "worker", "views-worker", "beat", "metrics"):
        env = services[name]["environment"]
        for var in ("DATABASE_URL", "SERVICE_DATABASE_URL", "REDIS_URL"):
            assert var in env, (name, var)
        assert "@pgbouncer:6432/" in env["DATABASE_URL"]
        assert env["DATABASE_URL"].startswith("postgres://theme_config_app@")
    setup = services["setup"]["environment"]
    assert "@postgres:5432/" in setup["MIGRATOR_DATABASE_URL"] and setup["ADMIN_DATABASE_URL"].startswith("postgres://postgres@")


def test_compose__long_running_services__no_superuser_or_owner_url():
    """Finding 9: web, worker and beat were given the superuser URL; only the set-up job needs it."""
    services = _compose()["services"]
    for name in ("web", "worker", "views-worker", "beat", "metrics"):
        env = services[name]["environment"]
        assert "ADMIN_DATABASE_URL" not in env and "MIGRATOR_DATABASE_URL" not in env, name
    for name in ("web", "worker", "views-worker", "beat", "metrics"):
        assert services[name]["depends_on"]["setup"]["condition"] == "service_completed_successfully"


def test_compose__pgbouncer__transaction_pooling():
    ini = (ROOT / "deploy/pgbouncer/pgbouncer.ini").read_text()
    assert "pool_mode = transaction" in ini
    mounts = _compose()["services"]["pgbouncer"]["volumes"]
    for mount in mounts:
        assert (ROOT / mount.split(":")[0]).exists()


def test_dockerfile__copies_every_app():
    dockerfile = (ROOT / "Dockerfile").read_text()
    for app in ("config", "themeconfig", "publishing", "ai_workspace", "manage.py"):
        assert f"COPY {app}" in dockerfile
    assert "gunicorn.conf.py" in dockerfile  # the metrics directory's reset at gunicorn's start


def test_compose__long_running_services__restarted_when_they_die():
    """Issue 17: a worker that died on a Redis outage stayed dead; the one-off set-up job must not loop."""
    services = _compose()["services"]
    for name in ("postgres", "redis", "pgbouncer", "web", "worker", "views-worker", "beat", "metrics"):
        assert services[name].get("restart") == "unless-stopped", name
    assert "restart" not in services["setup"]


def _queues(argv: list[str]) -> set[str]:
    return set(argv[argv.index("-Q") + 1].split(",")) if "-Q" in argv else set()


def test_compose_and_make_run__every_routed_queue_has_a_worker__the_views_apart(settings):
    """Issue 23: the seed views' refresh has a queue of its own; a queue nobody consumes would leave it undone."""
    routed = {settings.CELERY_TASK_DEFAULT_QUEUE} | {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()}
    services = _compose()["services"]
    consumed = {name: _queues(service["command"]) for name, service in services.items()
                if "worker" in service.get("command", [])}
    assert consumed == {"worker": {settings.CELERY_TASK_DEFAULT_QUEUE}, "views-worker": {settings.VIEWS_REFRESH_QUEUE}}
    assert set().union(*consumed.values()) == routed
    run_sh = (ROOT / "scripts/run.sh").read_text()
    assert f'-Q {settings.CELERY_TASK_DEFAULT_QUEUE} ' in run_sh
    assert f'-Q "${{VIEWS_REFRESH_QUEUE:-{settings.VIEWS_REFRESH_QUEUE}}}"' in run_sh


def test_compose__metrics__each_service_its_own_directory__exporter_merges_them_on_loopback():
    services = _compose()["services"]
    web = services["web"]["environment"]["PROMETHEUS_MULTIPROC_DIR"]
    worker = services["worker"]["environment"]["PROMETHEUS_MULTIPROC_DIR"]
    assert web != worker  # each service empties its own at start
    exporter = services["metrics"]
    views = services["views-worker"]["environment"]["PROMETHEUS_MULTIPROC_DIR"]
    assert len({web, worker, views}) == 3
    assert exporter["environment"]["METRICS_SCRAPE_DIRS"].split(",") == [web, worker, views]
    assert exporter["environment"]["METRICS_TOKEN"]
    assert all(port.startswith("127.0.0.1:") for port in exporter["ports"])
    assert "PROMETHEUS_MULTIPROC_DIR" not in services["beat"]["environment"]
