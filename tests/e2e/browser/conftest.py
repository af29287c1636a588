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
import re
from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connections
from playwright.sync_api import expect

from publishing.management.commands.seed_demo import DEMO_HOST, DEMO_SLUG
from publishing.resolve import cache as resolve_cache
from tests.celery_worker import celery_worker
from tests.conftest import (
    TenantDataSnapshot,
    admin_connect,
    restore_tenant_data,
    snapshot_tenant_data,
    truncate_tenant_data,
)
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


@dataclass(frozen=True)
class DemoSeed:
    tenant_id: str
    rows: TenantDataSnapshot
    owner_cookies: list  # the demo owner's session (its row is in `rows`), as Playwright stores cookies


@pytest.fixture(scope="package")
def demo_seed(django_db_setup, django_db_blocker, browser, app_server) -> DemoSeed:
    """`manage.py seed_demo` once per worker (it publishes: seconds), committed, and the demo owner
    signed in once through the login form on the app server; the rows that left (with that session's)
    are kept as a snapshot (tests/conftest.py), and the database emptied again for the next test."""
    with django_db_blocker.unblock():
        truncate_tenant_data(django_db_setup)
        try:
            call_command("seed_demo", force=True, stdout=io.StringIO())
            with admin_connect(django_db_setup) as conn:
                (tenant_id,) = conn.execute("SELECT id FROM tenant_service.tenants WHERE slug = %s", [DEMO_SLUG]).fetchone()
            context = browser.new_context(base_url=app_server.url)
            try:
                staff = DemoStaff(tenant_id=str(tenant_id))
                log_in(context.new_page(), username=staff.username, password=staff.password, tenant_slug=staff.tenant_slug)
                cookies = context.cookies()
            finally:
                context.close()
            rows = snapshot_tenant_data(django_db_setup)
        finally:
            for connection in connections.all():
                connection.close()
            truncate_tenant_data(django_db_setup)
            resolve_cache.invalidate([DEMO_HOST])
    return DemoSeed(tenant_id=str(tenant_id), rows=rows, owner_cookies=cookies)


@pytest.fixture
def demo_staff(committed_db, django_db_setup, demo_seed) -> DemoStaff:
    """`manage.py seed_demo`'s data, committed: tenant demo (host demo.localhost, a published theme,
    a default brand kit) and its owner demo/demo. Seeded once per worker (demo_seed) and put back
    from its snapshot for each test, which then starts from exactly what seed_demo left."""
    restore_tenant_data(django_db_setup, demo_seed.rows)
    # The restore, like the truncation after the test, moves the host without the commit hook that
    # drops cached answers.
    resolve_cache.invalidate([DEMO_HOST])
    yield DemoStaff(tenant_id=demo_seed.tenant_id)
    resolve_cache.invalidate([DEMO_HOST])


@pytest.fixture
def admin_page(demo_staff, demo_seed, page):  # noqa: F811  (the page fixture imported above)
    """A page signed in as the demo owner, on the admin index: the session demo_seed signed in
    through the login form (restored with the demo data), not the form again for every test;
    test_admin_smoke.py signs in through the form."""
    page.context.add_cookies(demo_seed.owner_cookies)
    page.goto("/admin/")
    expect(page).to_have_url(re.compile(r"/admin/$"))
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
