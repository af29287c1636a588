"""Every page of the tenant admin's workspace holds at a laptop's 1366 px and a phone's 390 px, for a draft
and for the published (read-only) version: no sideways scroll, nothing past the screen's edge, no text
squeezed to a sliver (the rule is layout.py's WIDTH_PROBLEMS_JS).

The pages are found the way staff find them, so a new page is checked without being listed here: each
list linked from the admin index and its first object, the theme's tabs, the theme page's links to a
draft and to the published version and each of their tabs, and the "shown once" page of a new preview
link. One browser, one page each, checked at 1366 px and then, resized, at 390 px. A page that fails is
saved as artifacts/screenshots/widths-<page>-<width>.png (every page with WIDTHS_SCREENSHOTS=all)."""
from __future__ import annotations

import os
import re
import time
from datetime import timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.contrib.admin.utils import quote
from django.utils import timezone
from playwright.sync_api import expect

from publishing import services as publishing_services
from publishing.services import publish, rollouts, schedules
from tests.e2e.browser.layout import width_problems
from tests.e2e.browser.screenshots import screenshot
from tests.factories.tenancy import MembershipFactory, UserFactory
from themeconfig import services
from themeconfig.models import Tenant, Theme, ThemeVersion
from themeconfig.platform.principal import Principal
from themeconfig.platform.tenant_context import tenant_context
from themeconfig.services.routing_flags import routing_flag_create

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
# Links that lead away from the workspace or change something when followed.
NOT_A_PAGE = re.compile(r"/(logout|password_change|delete|add)/|^/admin/(r|jsi18n)/|/preview-site/")
CHANGELIST = re.compile(r"^/admin/[a-z_]+/[a-z_]+/$")


def _paths(page, selector: str) -> list[str]:
    """The admin paths (query kept) of the links `selector` finds, in page order, once each."""
    hrefs = page.locator(selector).evaluate_all("links => links.map(a => a.href)")
    found = []
    for href in hrefs:
        parts = urlsplit(href)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if parts.path.startswith("/admin/") and not NOT_A_PAGE.search(parts.path) and path not in found:
            found.append(path)
    return found


def _name(path: str, names: dict[str, str]) -> str:
    for object_id, label in names.items():
        path = path.replace(object_id, label)
    return re.sub(r"[^a-z0-9]+", "-", path.removeprefix("/admin/").lower()).strip("-") or "index"


@pytest.fixture
def workspace_data(demo_staff):
    """The demo's published version, a draft of it, a preview link of each, an API key, and (four-eyes
    on) the draft's publish asked for by another admin, waiting for the owner's approval, so that each
    table has rows to draw."""
    owner = demo_staff.owner()
    draft = demo_staff.draft_from_published()
    with tenant_context(demo_staff.tenant_id):
        published = ThemeVersion.objects.get(theme_id=draft.theme_id, status="published")
        editor = MembershipFactory(role="admin", user=UserFactory(username="editor", email="editor@example.com"))
    for version in (draft, published):
        publishing_services.preview_token_create(principal=owner, version_id=version.pk, expires_in_days=7,
                                                 note="For the marketing team's review of the autumn campaign")
    services.api_key_create(principal=owner, name="Booking engine (production)")
    # The Schedules tab: the tenant in Paris time, a campaign with its revert and a cancelled one to
    # draw, and a third preview-ready version the test schedules from the page itself.
    with tenant_context(demo_staff.tenant_id):
        tenant = Tenant.objects.get(pk=demo_staff.tenant_id)
    services.tenant_update(principal=owner, name=tenant.name, settings={**tenant.settings, "time_zone": "Europe/Paris"})
    campaign, cancelled, from_page = (_preview_ready(demo_staff) for _ in range(3))
    start = timezone.now() + timedelta(days=10)
    schedules.publish_schedule_create(principal=owner, version_id=campaign.pk, run_at=start,
                                      revert_at=start + timedelta(days=3))
    dropped = schedules.publish_schedule_create(principal=owner, version_id=cancelled.pk,
                                                run_at=start + timedelta(days=5))
    schedules.publish_schedule_cancel(principal=owner, schedule_id=dropped.pk, expected_version=1)
    asker = Principal.for_user(tenant_id=demo_staff.tenant_id, user_id=editor.user_id, role="admin")
    draft = services.version_update(principal=asker, version_id=draft.pk, expected_version=draft.version,
                                    release_notes="Autumn campaign: warmer colours and the harvest menu on the home page")
    with tenant_context(demo_staff.tenant_id):
        theme = Theme.objects.get(pk=draft.theme_id)
        tenant = Tenant.objects.get()
    services.tenant_update(principal=owner, name=tenant.name, settings={**tenant.settings, "four_eyes_publish": True})
    asked = publish.version_publish(principal=asker, version_id=draft.pk, expected_theme_version=theme.version,
                                    note="Please check the Arabic home page before approving; it goes live on Friday")
    # A rollout of the draft (its panel on the theme's Publications tab) and a routing flag (its pages).
    with tenant_context(demo_staff.tenant_id):
        theme_version = Theme.objects.get(pk=draft.theme_id).version
    rollouts.rollout_start(principal=owner, theme_id=draft.theme_id, version_id=draft.pk,
                           expected_theme_version=theme_version, percentage=5, user_keys=["qa-team-member-1"],
                           reason="Canary of the autumn campaign for a few guests first")
    routing_flag_create(principal=owner, flag_key="theme.route", scope_type="style", scope_id=draft.theme_id,
                        route_mode="candidate", reason="Autumn campaign cut-over, announced to the front desk")
    return {"draft": draft, "published": published, "request": asked, "to_schedule": from_page}


def _preview_ready(demo_staff) -> ThemeVersion:
    version = demo_staff.draft_from_published()
    return services.version_mark_preview_ready(principal=demo_staff.owner(), version_id=version.pk,
                                               expected_version=version.version)


def test_admin_workspace__every_page_of_a_draft_and_the_published_version__holds_at_1366_and_390_px(
        admin_page, workspace_data):
    page = admin_page
    page.set_default_timeout(60_000)  # full-page screenshots of the long history pages, on a busy machine
    draft, published = workspace_data["draft"], workspace_data["published"]
    names = {quote(draft.pk): "draft", quote(published.pk): "published", quote(draft.theme_id): "theme"}
    every_screenshot = os.environ.get("WIDTHS_SCREENSHOTS") == "all"
    visited: list[str] = []
    found: dict[str, list[str]] = {}

    def check(path: str | None = None, *, suffix: str = "") -> None:
        """Opens `path` (or checks the page as it is) at both widths; records what breaks."""
        started = time.monotonic()
        if path is not None:
            page.set_viewport_size(LAPTOP)
            page.goto(path)
        where = urlsplit(page.url)
        name = _name(where.path + (f"-{where.query}" if where.query else ""), names) + suffix
        visited.append(name)
        for viewport, phone in ((LAPTOP, False), (PHONE, True)):
            page.set_viewport_size(viewport)
            problems = width_problems(page, phone=phone)
            if problems:
                found[f"{name} at {viewport['width']}px"] = problems[:8]
            if problems or every_screenshot:
                screenshot(page, f"widths-{name}-{viewport['width']}")
        page.set_viewport_size(LAPTOP)
        print(f"{name}: {time.monotonic() - started:.2f} s")

    def check_with_tabs(path: str) -> list[str]:
        """The page, then each tab of its tab bar; returns the page's own links for more."""
        check(path)
        tabs = [tab for tab in _paths(page, ".tc-tabs a") if tab != path]
        links = _paths(page, "#content a")
        for tab in tabs:
            check(tab)
        return links

    check("/admin/")
    lists = [path for path in _paths(page, "#content-main a") if CHANGELIST.match(path)]
    assert "/admin/themeconfig/theme/" in lists and "/admin/themeconfig/hostlisting/" in lists, lists
    theme_path = version_paths = None
    for list_path in lists:
        check(list_path)
        first = _paths(page, "#result_list tbody a")[:1]
        if not first:
            continue
        if list_path == "/admin/themeconfig/theme/":
            theme_path = first[0]
            theme_links = check_with_tabs(theme_path)
            version_paths = [link for link in theme_links if re.search(r"/themeversion/[^/]+/change/$", link)]
        elif list_path != "/admin/themeconfig/themeversion/":
            check(first[0])
    assert theme_path is not None, "the themes list links no theme"
    for version in (draft, published):
        version_path = f"/admin/themeconfig/themeversion/{quote(version.pk)}/change/"
        assert version_path in version_paths, f"the theme page does not link version {version.ordinal}"
        check_with_tabs(version_path)

    # A new preview link's address, shown once.
    page.goto(f"/admin/themeconfig/themeversion/{quote(draft.pk)}/preview/")
    page.get_by_role("button", name="Create preview link").click()
    expect(page.get_by_role("textbox", name="Secret (shown only now)")).to_have_value(re.compile("/preview/"))
    check(suffix="-shown-once")

    # Schedule a campaign with its revert from the Schedules tab (times typed in the tenant's Paris
    # time), see it listed, move it and cancel it; the page holds at both widths with every row drawn.
    to_schedule = workspace_data["to_schedule"]
    day = (timezone.now() + timedelta(days=30)).astimezone(ZoneInfo("Europe/Paris")).date()
    page.goto(f"/admin/themeconfig/theme/{quote(draft.theme_id)}/schedules/")
    expect(page.get_by_text("Europe/Paris", exact=True)).to_be_visible()
    page.get_by_label("Version:", exact=True).select_option(label=f"Version {to_schedule.ordinal}")
    page.get_by_label("Publish at").fill(f"{day.isoformat()}T09:30")
    page.get_by_label("Revert at (optional)").fill(f"{(day + timedelta(days=2)).isoformat()}T18:00")
    page.get_by_role("button", name="Schedule", exact=True).click()
    # The tenant has four-eyes on (for the approval page above): the schedule waits for approval, unarmed.
    expect(page.locator(".messagelist")).to_contain_text(
        f"Waiting for approval: version {to_schedule.ordinal} is to go live at {day.isoformat()} 09:30 (Europe/Paris)")
    rows = page.locator("#schedules-upcoming tbody tr")
    expect(rows.filter(has_text=f"Version {to_schedule.ordinal}")).to_have_count(2)  # its publish and its revert
    check(suffix="-scheduled")
    publish_row = rows.filter(has_text="Publish").filter(has_text=f"Version {to_schedule.ordinal}")
    publish_row.get_by_label(f"New time of the publish of version {to_schedule.ordinal}").fill(
        f"{day.isoformat()}T10:15")
    publish_row.get_by_role("button", name=f"Move the publish of version {to_schedule.ordinal}").click()
    expect(page.locator(".messagelist")).to_contain_text(f"moved to {day.isoformat()} 10:15 (Europe/Paris)")
    publish_row.get_by_role("button", name=f"Cancel the publish of version {to_schedule.ordinal}").click()
    expect(page.locator(".messagelist")).to_contain_text("The schedule is cancelled.")
    expect(page.locator("#schedules-past tbody tr").filter(has_text=f"Version {to_schedule.ordinal}")).to_have_count(2)

    # The approval page of the request waiting for the owner: the diff against the live version, and
    # the note and buttons of a second member who may publish (drawn at both widths like the rest).
    request_path = f"/admin/publishing/publishrequest/{quote(workspace_data['request'].pk)}/change/"
    page.goto(request_path)
    expect(page.locator("#request-note")).to_contain_text("Arabic home page")
    expect(page.locator("#compare-release_notes")).to_contain_text("harvest menu")
    expect(page.get_by_role("button", name="Approve")).to_be_visible()
    check(suffix="-approval")
    for must_visit in ("publishing-publishrequest", "themeconfig-theme", "themeconfig-hostlisting", "themeconfig-apiclient",
                       "themeconfig-themeversion-draft-preview", "themeconfig-themeversion-published-history",
                       "themeconfig-theme-theme-publications", "themeconfig-routingflag",
                       "themeconfig-theme-theme-schedules"):
        assert must_visit in visited, f"{must_visit} was not reached; visited {visited}"
    assert found == {}, f"{len(found)} of {2 * len(visited)} page widths break:\n" + "\n".join(
        f"{where}:\n    " + "\n    ".join(problems) for where, problems in found.items())
