"""Tenant staff's publishing pages of the theme workspace: Publish (a job, followed on the page and in
its JSON answer), a theme's Publications (rollback, re-publish), and Preview (the version drawn in a
sandboxed frame, preview links made, shown once, and revoked), each page and POST by role."""
from __future__ import annotations

import json
import re

import pytest
from django.contrib.admin.utils import quote
from django.contrib.sessions.models import Session
from django.utils.timezone import localtime

from publishing.models import PreviewToken, PublishJob, ThemePublication
from publishing.services import publish
from publishing.services.preview_tokens import hash_token
from tests.factories.admin_staff import ROLES, Staff, make_staff, sign_in
from themeconfig import services
from themeconfig.models import Theme, ThemeVersion
from themeconfig.platform.principal import Principal
from themeconfig.platform.tenant_context import tenant_context

PUBLISHERS = ("owner", "admin")
VERSIONS = "/admin/themeconfig/themeversion/"
THEMES = "/admin/themeconfig/theme/"
db = pytest.mark.django_db
# The tests run each job themselves (as tests/integration/test_publish_jobs.py does): nothing goes to Redis.
pytestmark = pytest.mark.usefixtures("no_publish_broker")


@pytest.fixture
def staff() -> Staff:
    return make_staff("Lakeside Hotels")


def make_version(principal, theme_id, *, welcome="## Welcome by the lake", book="Reserve", ready=True) -> ThemeVersion:
    """A draft with a home block and `site.nav.book` in English and Arabic; preview-ready unless told."""
    version = services.version_create(principal=principal, theme_id=theme_id)
    services.content_block_create(
        principal=principal, version_id=version.pk, surface="home", kind="rich_text", meta={"kind": "rich_text"},
        body={"en": {"format": "markdown", "value": welcome}, "ar": {"format": "markdown", "value": "## أهلاً بكم"}})
    services.locale_pack_put(principal=principal, version_id=version.pk, locale="en", entries={"site.nav.book": book})
    services.locale_pack_put(principal=principal, version_id=version.pk, locale="ar", entries={"site.nav.book": "احجز"})
    if ready:
        current = reload(ThemeVersion, version.pk, principal.tenant_id)
        services.version_mark_preview_ready(principal=principal, version_id=version.pk, expected_version=current.version)
    return reload(ThemeVersion, version.pk, principal.tenant_id)


@pytest.fixture
def theme(staff) -> Theme:
    return services.theme_create(principal=staff.principals["owner"], name="Lake", enabled_locales=["en", "ar"],
                                 fallback_chain=["en"])


@pytest.fixture
def version(staff, theme) -> ThemeVersion:
    return make_version(staff.principals["admin"], theme.pk)


def reload(model, pk, tenant_id):
    with tenant_context(tenant_id):
        return model.objects.get(pk=pk)


def jobs_of(theme) -> list[PublishJob]:
    with tenant_context(theme.tenant_id):
        return list(PublishJob.objects.filter(theme_id=theme.pk).order_by("created_at"))


def tokens_of(version) -> list[PreviewToken]:
    with tenant_context(version.tenant_id):
        return list(PreviewToken.objects.filter(theme_version_id=version.pk).order_by("created_at"))


def active_of(theme) -> ThemePublication | None:
    with tenant_context(theme.tenant_id):
        return ThemePublication.objects.filter(theme_id=theme.pk, is_active=True).first()


def theme_version(theme) -> int:
    return reload(Theme, theme.pk, theme.tenant_id).version


def run(job_id, tenant) -> PublishJob:
    return publish.publish_job_run(job_id=job_id, tenant_id=tenant.id, worker="test")


def published(staff, theme, version) -> PublishJob:
    """`version` published through the use case, its job run here."""
    job = publish.version_publish(principal=staff.principals["admin"], version_id=version.pk,
                                  expected_theme_version=theme_version(theme))
    done = run(job.pk, staff.tenant)
    assert done.status == "succeeded", done.error_code
    return done


def page_of(version, slug):
    return f"{VERSIONS}{quote(version.pk)}/{slug}/"  # as the admin writes it in links


def publications_page(theme):
    return f"{THEMES}{quote(theme.pk)}/publications/"


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


# --- pages by role --------------------------------------------------------------------------------

@db
@pytest.mark.parametrize("role", ROLES)
def test_publishing_pages__role__everyone_reads_and_sees_the_tabs(client, staff, theme, version, role):
    sign_in(client, staff, role)
    for path in (page_of(version, "publish"), page_of(version, "preview"), publications_page(theme),
                 page_of(version, "preview-site")):
        assert client.get(path).status_code == 200, (path, role)
    page = client.get(page_of(version, "publish")).content.decode()
    assert ">Publish</a>" in page and ">Preview</a>" in page and "Preview site" not in page  # the frame has no tab
    assert ">Publications</a>" in client.get(publications_page(theme)).content.decode()


@db
@pytest.mark.parametrize("role", ROLES)
def test_publish_page__role__button_only_for_publishers_and_readiness_said(client, staff, theme, version, role):
    sign_in(client, staff, role)
    page = client.get(page_of(version, "publish")).content.decode()
    assert ("Publish version 1</button>" in page) == (role in PUBLISHERS)
    assert "can be published" in page and "all passed" in page
    assert ("may publish" if role in PUBLISHERS else "may not publish") in page
    assert f'name="expected_theme_version" value="{theme_version(theme)}"' in page or role not in PUBLISHERS
    assert "Nothing is published yet" in page
    assert "platform/jobs/job-progress.js" in page and "<script>" not in page  # a static file, no inline script


@db
def test_publish_page__draft_with_problems__listed_as_a_count_with_a_link(client, staff, theme):
    draft = services.version_create(principal=staff.principals["admin"], theme_id=theme.pk)  # no Arabic pack
    services.locale_pack_put(principal=staff.principals["admin"], version_id=draft.pk, locale="en",
                             entries={"nav.book": "Reserve"})
    sign_in(client, staff, "admin")
    page = client.get(page_of(draft, "publish")).content.decode()
    assert "to fix</strong> first" in page and f'href="{VERSIONS}{quote(draft.pk)}/change/?problems=1"' in page


@db
@pytest.mark.parametrize("role", ROLES)
def test_publications_page__role__rollback_and_republish_only_for_publishers(client, staff, theme, version, role):
    first = published(staff, theme, version)
    second_version = make_version(staff.principals["admin"], theme.pk, book="Book a room")
    second = published(staff, theme, second_version)
    sign_in(client, staff, role)
    page = client.get(publications_page(theme)).content.decode()
    assert page.count('<span class="tc-badge tc-badge--published">Active</span>') == 1
    assert "2 publications, newest first" in page and "Earlier" in page
    assert page.index("Version 2</a>") < page.index("Version 1</a>")  # newest first
    active_row = page.split('class="tc-publication--active"', 1)[1].split("</tr>", 1)[0]
    assert "Version 2" in active_row and second.bundle_sha256[:12] in active_row and "admin_person" in active_row
    assert (f'name="publication_id" value="{first.publication_id}"' in page) == (role in PUBLISHERS)
    assert f'name="publication_id" value="{second.publication_id}"' not in page  # the active one: no rollback
    assert ("Re-publish active (version 2)" in page) == (role in PUBLISHERS)


@db
@pytest.mark.parametrize("role", ROLES)
def test_preview_page__role__frame_links_and_create_form_for_preview_managers(client, staff, theme, version, role):
    sign_in(client, staff, role)
    page = client.get(page_of(version, "preview")).content.decode()
    assert f'<iframe class="tc-preview-frame" sandbox="allow-same-origin" src="{page_of(version, "preview-site")}?locale=en"' in page
    assert 'width="1280"' in page and "Arabic (ar), right to left" in page and "Mobile (390 px)" in page
    assert ("Create preview link</button>" in page) == (role != "viewer")
    assert '<label for="id_expires_in_days">' in page or role == "viewer"


@db
def test_preview_page__mobile_width_and_arabic__the_frame_follows(client, staff, theme, version):
    sign_in(client, staff, "viewer")
    page = client.get(page_of(version, "preview"), {"locale": "ar", "width": "mobile"}).content.decode()
    assert f'src="{page_of(version, "preview-site")}?locale=ar"' in page and 'width="390"' in page
    assert 'aria-current="true" class="tc-current">Arabic (ar), right to left' in page


# --- publish: job, progress, JSON ----------------------------------------------------------------

@db
@pytest.mark.parametrize("role", ["member", "viewer"])
def test_publish_post__not_a_publisher__403_and_no_job(client, staff, theme, version, role):
    sign_in(client, staff, role)
    response = client.post(page_of(version, "publish"), {"expected_theme_version": theme_version(theme)})
    assert response.status_code == 403 and jobs_of(theme) == []


@db
@pytest.mark.parametrize("role", PUBLISHERS)
def test_publish_post__publisher__a_job_and_the_page_follows_it_to_success(client, staff, theme, version, role):
    sign_in(client, staff, role)
    response = client.post(page_of(version, "publish"), {"expected_theme_version": theme_version(theme)})
    [job] = jobs_of(theme)
    assert response.status_code == 302 and response["Location"] == f"{page_of(version, 'publish')}?job={job.pk}"
    assert job.kind == "publish" and job.status == "queued" and job.requested_by == f"user:{staff.users[role].pk}"

    page = client.get(response["Location"])
    text = page.content.decode()
    assert "Publishing version 1: the job is under way." in messages_of(page)
    assert 'aria-live="polite"' in text and f'data-job-poll-url="{page_of(version, "publish")}?job={job.pk}&amp;format=json"' in text
    assert 'data-job-status>queued</span>' in text and 'data-job-finished="false"' in text and ">Refresh</a>" in text
    assert "Publish version 1</button>" not in text and "The job above is under way" in text  # no second publish

    answer = client.get(page_of(version, "publish"), {"job": job.pk, "format": "json"})
    data = answer.json()
    assert answer["Content-Type"] == "application/json" and "no-store" in answer["Cache-Control"]
    assert data["job"]["id"] == job.pk and data["job"]["status"] == "queued" and data["job"]["finished"] is False
    assert [step["state"] for step in data["job"]["steps"]] == ["waiting", "waiting", "waiting"]
    assert data["active_publication"] is None and "data-job-status>queued<" in data["html"]
    assert data["refreshed"] == {}  # the rest of the page is drawn again once the job has ended

    done = run(job.pk, staff.tenant)
    data = client.get(page_of(version, "publish"), {"job": job.pk, "format": "json"}).json()
    assert data["job"]["status"] == "succeeded" and data["job"]["finished"] is True
    assert data["job"]["publication_id"] == done.publication_id
    assert data["active_publication"]["id"] == done.publication_id and data["active_publication"]["ordinal"] == 1
    assert [step["state"] for step in data["job"]["steps"]] == ["done", "done", "done"]
    assert all(isinstance(step["ms"], int | float) for step in data["job"]["steps"])
    assert "data-job-status>succeeded<" in data["html"] and f'href="{publications_page(theme)}"' in data["html"]
    assert set(data["refreshed"]) == {"publish-readiness", "active-publication"}
    assert "cannot be published again" in data["refreshed"]["publish-readiness"]
    live = data["refreshed"]["active-publication"]
    assert ">1</a> is live" in live and done.publication_id not in live  # the version, not the publication's id

    text = client.get(page_of(version, "publish"), {"job": job.pk}).content.decode()
    assert 'data-job-status>succeeded</span>' in text and 'data-job-finished="true"' in text
    shown = re.sub(r"<[^>]*>", " ", text)  # what people read: ids stay in links and data attributes
    assert "Now active:" in text and ">version 1</a>" in text and done.publication_id not in shown and job.pk not in shown
    assert ">Refresh</a>" not in text and "cannot be published again" in text  # the version is published now
    assert active_of(theme).pk == done.publication_id


@db
def test_publish_job__failed__error_code_and_message_shown(client, staff, theme, version):
    other = make_version(staff.principals["admin"], theme.pk, book="Other")
    expected = theme_version(theme)
    job_a = publish.version_publish(principal=staff.principals["admin"], version_id=version.pk,
                                    expected_theme_version=expected)
    job_b = publish.version_publish(principal=staff.principals["admin"], version_id=other.pk,
                                    expected_theme_version=expected)
    run(job_a.pk, staff.tenant)
    assert run(job_b.pk, staff.tenant).status == "failed"  # the first flip won
    sign_in(client, staff, "viewer")
    data = client.get(page_of(other, "publish"), {"job": job_b.pk, "format": "json"}).json()
    assert data["job"]["status"] == "failed" and data["job"]["error_code"] == "MELMASTOON.THEME.PUBLISH_CONFLICT"
    assert "Error <code>MELMASTOON.THEME.PUBLISH_CONFLICT</code>" in data["html"]
    assert data["job"]["error_message"] in data["html"] and "not completed" in data["html"]


@db
def test_publish_job__of_another_tenant_or_version_or_malformed__404(client, staff, theme, version, tenant_factory):
    stranger = tenant_factory()
    owner = Principal.for_user(tenant_id=stranger.id, user_id=1, role="owner")
    their_theme = services.theme_create(principal=owner, name="Theirs", enabled_locales=["en", "ar"],
                                        fallback_chain=["en"])
    their_job = publish.version_publish(principal=owner, version_id=make_version(owner, their_theme.pk).pk,
                                        expected_theme_version=theme_version(their_theme))
    other_version = make_version(staff.principals["admin"], theme.pk, book="Other")
    own_job = publish.version_publish(principal=staff.principals["admin"], version_id=other_version.pk,
                                      expected_theme_version=theme_version(theme))
    sign_in(client, staff, "owner")
    for job_id in (their_job.pk, own_job.pk, "pbj_nope", "x\x00"):
        for params in ({"job": job_id}, {"job": job_id, "format": "json"}):
            assert client.get(page_of(version, "publish"), params).status_code == 404, job_id
    assert client.get(publications_page(theme), {"job": their_job.pk, "format": "json"}).status_code == 404
    assert client.get(publications_page(theme), {"job": own_job.pk, "format": "json"}).status_code == 200


@db
def test_publish_post__stale_theme_version__refused_as_a_message_and_no_job(client, staff, theme, version):
    sign_in(client, staff, "admin")
    response = client.post(page_of(version, "publish"), {"expected_theme_version": theme_version(theme) + 5},
                           follow=True)
    assert response.redirect_chain[-1][0] == page_of(version, "publish")
    stale = theme_version(theme) + 5
    assert messages_of(response) == [f"The theme changed since version {stale}; it is at version "
                                     f"{theme_version(theme)}. Reload, reapply, retry."]
    assert jobs_of(theme) == []
    response = client.post(page_of(version, "publish"), {}, follow=True)  # no version sent: 428's text
    assert "Send the version you edited" in messages_of(response)[0] and jobs_of(theme) == []


@db
def test_publish_post__not_preview_ready__refused_with_its_problems_as_a_message(client, staff, theme):
    draft = services.version_create(principal=staff.principals["admin"], theme_id=theme.pk)
    sign_in(client, staff, "owner")
    response = client.post(page_of(draft, "publish"), {"expected_theme_version": theme_version(theme)}, follow=True)
    [message] = messages_of(response)
    assert "problem(s) to fix before it can be published" in message and jobs_of(theme) == []


@db
def test_publish_post__published_version__no_button_and_refused(client, staff, theme, version):
    published(staff, theme, version)
    sign_in(client, staff, "owner")
    page = client.get(page_of(version, "publish")).content.decode()
    assert "Publish version 1</button>" not in page and "cannot be published again" in page
    response = client.post(page_of(version, "publish"), {"expected_theme_version": theme_version(theme)}, follow=True)
    assert len(messages_of(response)) == 1 and len(jobs_of(theme)) == 1


# --- publications: rollback and re-publish --------------------------------------------------------

@db
@pytest.mark.parametrize("role", ["member", "viewer"])
def test_rollback_and_republish_post__not_a_publisher__403_and_nothing_done(client, staff, theme, version, role):
    first = published(staff, theme, version)
    published(staff, theme, make_version(staff.principals["admin"], theme.pk, book="Book a room"))
    sign_in(client, staff, role)
    for data in ({"action": "rollback", "publication_id": first.publication_id},
                 {"action": "republish"}):
        response = client.post(publications_page(theme), {**data, "expected_theme_version": theme_version(theme),
                                                          "confirmed": "yes"})
        assert response.status_code == 403
        assert client.get(publications_page(theme), {"confirm": data["action"]}).status_code == 403
    assert len(jobs_of(theme)) == 2


@db
def test_rollback_post__chosen_publication__active_again_after_its_job(client, staff, theme, version):
    first = published(staff, theme, version)
    published(staff, theme, make_version(staff.principals["admin"], theme.pk, book="Book a room"))
    published(staff, theme, make_version(staff.principals["admin"], theme.pk, book="Book now"))
    sign_in(client, staff, "admin")
    response = client.post(publications_page(theme), {"action": "rollback", "publication_id": first.publication_id,
                                                      "expected_theme_version": theme_version(theme),
                                                      "confirmed": "yes"})
    job = jobs_of(theme)[-1]
    assert response.status_code == 302 and response["Location"] == f"{publications_page(theme)}?job={job.pk}"
    assert job.kind == "rollback" and job.target_publication_id == first.publication_id
    page = client.get(response["Location"]).content.decode()
    assert "Progress of the rollback job" in page and "data-job-status>queued<" in page
    assert "Roll back to this" not in page and "Re-publish active" not in page  # while the job runs

    done = run(job.pk, staff.tenant)
    data = client.get(publications_page(theme), {"job": job.pk, "format": "json"}).json()
    assert data["job"]["status"] == "succeeded" and data["active_publication"]["version_id"] == version.pk
    assert [step["status"] for step in data["job"]["steps"]] == ["building", "flipping"]
    listed = data["refreshed"]["publications-list"]
    assert "Version 1</a>" in listed.split('class="tc-publication--active"', 1)[1].split("</tr>", 1)[0]
    assert listed.count("Roll back to this") == 3  # the three earlier ones, now that no job runs
    active = active_of(theme)
    assert active.pk == done.publication_id and active.theme_version_id == version.pk and active.reason == "rollback"
    assert active.bundle_sha256 == first.bundle_sha256
    page = client.get(publications_page(theme)).content.decode()
    active_row = page.split('class="tc-publication--active"', 1)[1].split("</tr>", 1)[0]
    assert "Version 1</a>" in active_row and "Rollback" in active_row


@db
def test_republish_post__active_version_published_again(client, staff, theme, version):
    first = published(staff, theme, version)
    sign_in(client, staff, "owner")
    response = client.post(publications_page(theme), {"action": "republish", "confirmed": "yes",
                                                      "expected_theme_version": theme_version(theme)})
    job = jobs_of(theme)[-1]
    assert response["Location"] == f"{publications_page(theme)}?job={job.pk}" and job.kind == "re_publish"
    run(job.pk, staff.tenant)
    active = active_of(theme)
    assert active.pk != first.publication_id and active.theme_version_id == version.pk and active.reason == "re_publish"
    text = client.get(response["Location"]).content.decode()
    assert "Re-publish job: <span" in text and "data-job-status>succeeded<" in text


@db
def test_rollback_post__to_the_active_one_or_nothing_published__refused_as_messages(client, staff, theme, version):
    sign_in(client, staff, "owner")
    response = client.post(publications_page(theme), {"action": "republish",
                                                      "expected_theme_version": theme_version(theme)}, follow=True)
    assert messages_of(response) == ["The theme has no active publication to re-publish."]
    first = published(staff, theme, version)
    response = client.post(publications_page(theme), {"action": "rollback", "publication_id": first.publication_id,
                                                      "expected_theme_version": theme_version(theme),
                                                      "confirmed": "yes"}, follow=True)
    assert "No such earlier publication of this theme." in messages_of(response)[0]
    assert len(jobs_of(theme)) == 1
    assert client.post(publications_page(theme), {"action": "what"}).status_code == 400


def confirmation_facts(page: str) -> tuple[str, str]:
    """The confirmation page's "Goes live" and "Stops being live" texts, tags dropped."""
    def text(element_id):
        return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", page.split(f'id="{element_id}">', 1)[1].split("</dd>", 1)[0]))
    return text("confirm-goes-live"), text("confirm-stops-being-live")


@db
def test_rollback__one_click__a_confirmation_naming_what_goes_and_stops_being_live_and_no_job_yet(
        client, staff, theme, version):
    first = published(staff, theme, version)
    published(staff, theme, make_version(staff.principals["admin"], theme.pk, book="Book a room"))
    third = published(staff, theme, make_version(staff.principals["admin"], theme.pk, book="Book now"))
    sign_in(client, staff, "admin")
    listed = client.get(publications_page(theme)).content.decode()
    # The list's button opens the confirmation (a GET); nothing in the list starts a job.
    row_form = listed.split(f'value="{first.publication_id}"', 1)[0].rsplit("<form", 1)[1]
    assert 'method="get"' in row_form and 'name="confirm" value="rollback"' in row_form
    day = localtime(first.finished_at).strftime("%-d %b %Y")
    for response in (client.get(publications_page(theme), {"confirm": "rollback", "publication_id": first.publication_id}),
                     client.post(publications_page(theme), {"action": "rollback", "publication_id": first.publication_id,
                                                           "expected_theme_version": theme_version(theme)})):
        assert response.status_code == 200
        page = response.content.decode()
        assert "<h1>Roll back to version 1?</h1>" in page and page.count("<h1") == 1
        goes, stops = confirmation_facts(page)
        assert goes.startswith(f"Version 1 (published {day})") and first.bundle_sha256[:12] in goes
        assert stops.startswith(f"Version 3 (published {day})") and third.bundle_sha256[:12] in stops
        assert 'name="confirmed" value="yes"' in page and "Yes, roll back to version 1" in page
        assert f'href="{publications_page(theme)}" class="button cancel-link">No, take me back' in page
        assert len(jobs_of(theme)) == 3  # no rollback job yet
    assert active_of(theme).theme_version_id == third.theme_version_id


@db
def test_republish__one_click__a_confirmation_and_no_job_yet(client, staff, theme, version):
    first = published(staff, theme, version)
    sign_in(client, staff, "owner")
    response = client.get(publications_page(theme), {"confirm": "republish"})
    page = response.content.decode()
    assert "<h1>Re-publish version 1?</h1>" in page
    goes, stops = confirmation_facts(page)
    assert goes.startswith("Version 1, its bundle built again") and stops.startswith("Version 1 (published")
    assert first.bundle_sha256[:12] in stops and "Yes, re-publish version 1" in page
    assert client.post(publications_page(theme), {"action": "republish", "expected_theme_version": theme_version(theme)}
                       ).status_code == 200
    assert len(jobs_of(theme)) == 1


@db
def test_rollback_confirmation__active_another_themes_or_malformed_publication__404(client, staff, theme, version):
    first = published(staff, theme, version)
    hotel = services.property_create(principal=staff.principals["owner"], name="Lakeside North")
    other_theme = services.theme_create(principal=staff.principals["owner"], name="Other", scope="property",
                                        property_id=hotel.pk, enabled_locales=["en", "ar"], fallback_chain=["en"])
    other = published(staff, other_theme, make_version(staff.principals["admin"], other_theme.pk))
    published(staff, other_theme, make_version(staff.principals["admin"], other_theme.pk, book="Book a room"))
    sign_in(client, staff, "owner")
    for publication_id in (first.publication_id, other.publication_id, "thp_nope", "x\x00"):
        response = client.get(publications_page(theme), {"confirm": "rollback", "publication_id": publication_id})
        assert response.status_code == 404, publication_id
    assert len(jobs_of(theme)) == 1


# --- preview: the frame -----------------------------------------------------------------------------

@db
def test_preview_frame__english_and_arabic__the_versions_texts_directions_and_strict_headers(client, staff, version):
    sign_in(client, staff, "viewer")
    response = client.get(page_of(version, "preview-site"))
    text = response.content.decode()
    assert response.status_code == 200 and '<html lang="en" dir="ltr">' in text
    assert "<h2>Welcome by the lake</h2>" in text and "Reserve" in text and ":root{--color-" in text
    assert "default-src 'none'" in response["Content-Security-Policy"] and "<script" not in text
    assert response["X-Frame-Options"] == "SAMEORIGIN" and "no-store" in response["Cache-Control"]
    # Its language links come back to the frame's own URL.
    assert f'href="{page_of(version, "preview-site")}?locale=ar"' in text

    arabic = client.get(page_of(version, "preview-site"), {"locale": "ar"}).content.decode()
    assert '<html lang="ar" dir="rtl">' in arabic and "أهلاً بكم" in arabic and "احجز" in arabic
    assert client.post(page_of(version, "preview-site")).status_code == 405


@db
def test_preview_frame__a_published_version_too__same_bundle_as_published(client, staff, theme, version):
    published(staff, theme, version)
    sign_in(client, staff, "member")
    assert "<h2>Welcome by the lake</h2>" in client.get(page_of(version, "preview-site")).content.decode()


# --- preview links --------------------------------------------------------------------------------

def secret_of(response) -> str:
    return response.content.decode().split('id="secret" type="text" readonly value="', 1)[1].split('"', 1)[0]


@db
@pytest.mark.parametrize("role", ["owner", "admin", "member"])
def test_preview_link_create__manager__secret_shown_once_only_its_hash_stored(client, staff, version, role):
    sign_in(client, staff, role)
    response = client.post(page_of(version, "preview"), {"action": "create", "expires_in_days": "1",
                                                         "note": "Sales review"})
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    link = secret_of(response)
    assert link.startswith("http://testserver/preview/pvw_") and link.endswith("/")
    secret = link.removeprefix("http://testserver/preview/").rstrip("/")
    [token] = tokens_of(version)
    assert token.token_hash == hash_token(secret) and token.note == "Sales review"
    assert token.created_by == f"user:{staff.users[role].pk}"
    assert 1 * 86400 - 60 < (token.expires_at - token.created_at).total_seconds() <= 86400
    assert "messages" not in response.cookies and all(secret not in m.value for m in response.cookies.values())
    assert all(secret not in json.dumps(s.get_decoded()) for s in Session.objects.all())
    following = client.get(page_of(version, "preview"))
    text = following.content.decode()
    assert secret not in text and "Sales review" in text and "Active" in text and "0 times" in text
    assert all(secret not in m.value for m in following.cookies.values())


@db
def test_preview_link_create__viewer__403_and_no_link(client, staff, version):
    sign_in(client, staff, "viewer")
    assert client.post(page_of(version, "preview"), {"action": "create", "expires_in_days": "7"}).status_code == 403
    assert tokens_of(version) == []


@db
def test_preview_link_create__expiry_out_of_choices__the_field_says_so_and_no_link(client, staff, version):
    sign_in(client, staff, "member")
    response = client.post(page_of(version, "preview"), {"action": "create", "expires_in_days": "99"})
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert tokens_of(version) == []


@db
def test_preview_link_create__archived_version__no_form_and_refused(client, staff, theme, version):
    current = reload(ThemeVersion, version.pk, staff.tenant.id)
    services.version_archive(principal=staff.principals["admin"], version_id=version.pk,
                             expected_version=current.version)
    sign_in(client, staff, "member")
    assert "Create preview link</button>" not in client.get(page_of(version, "preview")).content.decode()
    response = client.post(page_of(version, "preview"), {"action": "create", "expires_in_days": "7"}, follow=True)
    assert len(messages_of(response)) == 1 and tokens_of(version) == []


@db
@pytest.mark.parametrize("role", ["owner", "admin", "member"])
def test_preview_link_revoke__manager__revoked_and_listed_so(client, staff, version, role):
    token, _ = services_preview_token(staff, version)
    sign_in(client, staff, role)
    response = client.post(page_of(version, "preview"), {"action": "revoke", "token_id": token.pk}, follow=True)
    assert "The preview link is revoked: it no longer opens." in messages_of(response)
    assert reload(PreviewToken, token.pk, staff.tenant.id).revoked_at is not None
    assert "Revoked " in response.content.decode()


@db
def test_preview_link_revoke__viewer_403__another_versions_link_404(client, staff, theme, version):
    token, _ = services_preview_token(staff, version)
    other = make_version(staff.principals["admin"], theme.pk, ready=False)
    sign_in(client, staff, "viewer")
    assert client.post(page_of(version, "preview"), {"action": "revoke", "token_id": token.pk}).status_code == 403
    sign_in(client, staff, "owner")
    for token_id in (token.pk, "pvt_nope", "x\x00"):
        assert client.post(page_of(other, "preview"), {"action": "revoke", "token_id": token_id}).status_code == 404
    assert reload(PreviewToken, token.pk, staff.tenant.id).revoked_at is None


def services_preview_token(staff, version):
    from publishing.services import preview_token_create

    return preview_token_create(principal=staff.principals["member"], version_id=version.pk)


def test_preview_link__made_in_admin_opens__revoked_in_admin_404(committed_db, client, tenant_factory,
                                                                 membership_factory, user_factory):
    """Under committed transactions: the public page reads as the preview reader, on its own connection."""
    staff = Staff.__new__(Staff)
    tenant = tenant_factory(name="Committed Hotels")
    with tenant_context(tenant.id):
        user = user_factory(username="committed_member")
        membership_factory(user=user, role="member")
    member = Principal.for_user(tenant_id=tenant.id, user_id=user.pk, role="member")
    staff.tenant, staff.users, staff.principals = tenant, {"member": user}, {"member": member}
    owner = Principal.for_user(tenant_id=tenant.id, user_id=user.pk, role="owner")
    theme = services.theme_create(principal=owner, name="Lake", enabled_locales=["en", "ar"], fallback_chain=["en"])
    version = make_version(owner, theme.pk, ready=False)
    sign_in(client, staff, "member")
    link = secret_of(client.post(page_of(version, "preview"), {"action": "create", "expires_in_days": "7"}))
    path = link.removeprefix("http://testserver")
    opened = client.get(path)
    assert opened.status_code == 200 and "<h2>Welcome by the lake</h2>" in opened.content.decode()
    [token] = tokens_of(version)
    assert "1 time<" in client.get(page_of(version, "preview")).content.decode()  # the access was counted
    client.post(page_of(version, "preview"), {"action": "revoke", "token_id": token.pk})
    assert client.get(path).status_code == 404


@db
def test_theme_list_and_change_page__published__the_live_version_by_number_and_date_not_the_publication_id(
        client, staff, theme, version):
    published(staff, theme, version)
    with tenant_context(theme.tenant_id):
        day = f"{localtime(ThemeVersion.objects.get(pk=version.pk).published_at):%-d %b %Y}"
    sign_in(client, staff, "viewer")
    for url in (THEMES, f"{THEMES}{quote(theme.pk)}/change/"):
        shown = re.sub(r"<[^>]*>", " ", client.get(url).content.decode())
        assert f"Version 1 (published {day})" in shown, url
        assert active_of(theme).pk not in shown, url


@db
def test_publish_post__job_ends_before_the_page_is_drawn__no_under_way_message(client, staff, theme, version):
    """A fast worker finishes before the redirect is followed: the page says the job succeeded, and does
    not also say it is under way (the message stays for a page drawn while the job runs, above)."""
    sign_in(client, staff, "owner")
    response = client.post(page_of(version, "publish"), {"expected_theme_version": theme_version(theme)})
    [job] = jobs_of(theme)
    run(job.pk, staff.tenant)
    page = client.get(response["Location"])
    text = page.content.decode()
    assert "Publishing version 1: the job is under way." in messages_of(page)  # it was sent …
    assert "the job is under way." not in re.sub(r"<[^>]*>", " ", text)  # … but not drawn
    assert 'data-job-status>succeeded</span>' in text and "Done: the new publication is active." in text
