"""Browser tests: headless Debian chromium (Playwright) against the app served by gunicorn on the
test database. See page_guard.py for the page fixtures and what fails a test.

    def test_brand_kits__demo_staff__lists_the_demo_kit(admin_page):
        admin_page.get_by_role("link", name="Brand kits").click()
        expect(admin_page.get_by_role("link", name="Demo Seaside")).to_be_visible()
        screenshot(admin_page, "brand-kits")
        assert_no_serious_axe_violations(admin_page)
"""
from __future__ import annotations

import io
import os
from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from publishing.management.commands.seed_demo import DEMO_HOST, DEMO_SLUG
from publishing.resolve import cache as resolve_cache
from tests.celery_worker import celery_worker
from tests.conftest import admin_connect
from tests.e2e.browser.admin_session import log_in
from tests.e2e.browser.app_server import start as start_app_server
from tests.e2e.browser.page_guard import (  # noqa: F401  (fixtures and the hook, registered here)
    new_page,
    page,
    page_problems,
    pytest_runtest_call,
    running_browser,
)
from themeconfig import services
from themeconfig.models import Theme, ThemeVersion
from themeconfig.platform.principal import Principal
from themeconfig.platform.tenant_context import tenant_context


@pytest.fixture(scope="package")
def browser():
    """Chromium while this package's tests run. Playwright's sync API keeps an asyncio loop running
    in this thread as long as it lives, and Django's async-safety check then refuses every ORM call
    (fixtures, factories, call_command) with SynchronousOnlyOperation. These tests call Django only
    synchronously, so the check is off meanwhile, and back on for the tests after this package."""
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with running_browser() as instance:
            yield instance
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="package")
def app_server(django_db_setup, tmp_path_factory):
    """gunicorn serving the app on the pytest database while this package's tests run (~4 s to start)."""
    server = start_app_server(django_db_setup, tmp_path_factory.mktemp("app-server"))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def browser_base_url(app_server, committed_db):
    """Pages go to the app server. Through committed_db, what a test arranges is committed (the
    server is another process) and truncated after the test, once its pages are closed."""
    return app_server.url


@pytest.fixture(scope="package")
def live_worker(django_db_setup):
    """A Celery worker process on the test database and Redis (publish jobs run there)."""
    with celery_worker(django_db_setup, name="browser-worker") as worker:
        yield worker


@dataclass(frozen=True)
class DemoStaff:
    tenant_id: str
    username: str = "demo"
    password: str = "demo"
    tenant_slug: str = DEMO_SLUG
    host: str = DEMO_HOST

    def owner(self) -> Principal:
        """The demo owner as the use cases take a signed-in user."""
        user = get_user_model().objects.get(username=self.username)
        return Principal.for_user(tenant_id=self.tenant_id, user_id=user.pk, role="owner")

    def draft_from_published(self) -> ThemeVersion:
        """A new draft of the demo theme, made from its published version through the use case."""
        with tenant_context(self.tenant_id):
            theme = Theme.objects.get(deleted_at__isnull=True, property_id__isnull=True)
            published = ThemeVersion.objects.get(theme_id=theme.pk, status="published")
        return services.version_create(principal=self.owner(), theme_id=theme.pk, from_version_id=published.pk)


@pytest.fixture
def demo_staff(committed_db, django_db_setup) -> DemoStaff:
    """`manage.py seed_demo`'s data, committed: tenant demo (host demo.localhost, a published theme,
    a default brand kit) and its owner demo/demo."""
    call_command("seed_demo", force=True, stdout=io.StringIO())
    with admin_connect(django_db_setup) as conn:
        (tenant_id,) = conn.execute("SELECT id FROM tenant_service.tenants WHERE slug = %s", [DEMO_SLUG]).fetchone()
    yield DemoStaff(tenant_id=str(tenant_id))
    # The truncation that follows moves the host without the commit hook that drops cached answers.
    resolve_cache.invalidate([DEMO_HOST])


@pytest.fixture
def admin_page(demo_staff, page):  # noqa: F811  (the page fixture imported above)
    """A page signed in as the demo owner, on the admin index."""
    log_in(page, username=demo_staff.username, password=demo_staff.password, tenant_slug=demo_staff.tenant_slug)
    return page


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    server = item.funcargs.get("app_server")
    if report.failed and server is not None:
        errors = server.log_errors()
        if errors:
            report.sections.append(("app server errors (whole session)", errors))
    return report
