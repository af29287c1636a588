"""The AI workspace in the tenant staff's admin: a theme's "AI palettes" page and a version's "AI drafts"
page, by role (asking needs themes.edit, deciding ai.review, viewers read), each change a POST through
the generation and draft use cases; jobs are run here by calling the worker's function with the offline
provider, and polled through the page's JSON answer."""
from __future__ import annotations

import re

import pytest
from django.contrib.admin.utils import quote

from ai_workspace import services as ai_services
from ai_workspace.models import ContentDraft, GenerationJob, PaletteSuggestion, TranslationDraft
from ai_workspace.services import generation
from tests.factories.admin_staff import ROLES, Staff, make_staff, sign_in
from tests.unit.themeconfig.validators import samples
from themeconfig import services
from themeconfig.models import BrandKit, ContentBlock, LocalePack, ThemeVersion
from themeconfig.platform import permissions
from themeconfig.platform.permissions import Permission
from themeconfig.platform.principal import Principal
from themeconfig.platform.tenant_context import tenant_context

pytestmark = pytest.mark.django_db

COLORS = [{"name": "Harbour", "value": "#1f4e79", "role": "primary"}, {"name": "Sand", "value": "#f4e9d8"}]
FONTS = [{"name": "Body", "family": "Inter", "role": "body"}]


@pytest.fixture(autouse=True)
def offline_and_no_broker(settings, monkeypatch):
    """The offline provider; jobs are run by calling the worker's function, nothing goes to a broker."""
    settings.AI_PROVIDER = "offline"
    sent = []
    monkeypatch.setattr(generation, "enqueue_generation_job", lambda **kwargs: sent.append(kwargs))
    return sent


@pytest.fixture
def staff() -> Staff:
    return make_staff("Workspace Hotels")


def arrange_theme(owner: Principal, name: str = "Seaside"):
    services.brand_kit_create(principal=owner, name="House", colors=COLORS, fonts=FONTS, is_default=True)
    theme = services.theme_create(principal=owner, name=name, default_locale="en", enabled_locales=["en", "fr"],
                                  fallback_chain=["en"])
    version = services.version_create(principal=owner, theme_id=theme.pk)
    services.locale_pack_put(principal=owner, version_id=version.pk, locale="en",
                             entries=samples.valid_default_entries())
    return theme, version


@pytest.fixture
def arranged(staff):
    return arrange_theme(staff.principals["owner"])


@pytest.fixture
def theme(arranged):
    return arranged[0]


@pytest.fixture
def version(arranged):
    return arranged[1]


def palettes_url(theme) -> str:
    return f"/admin/themeconfig/theme/{quote(theme.pk)}/ai-palettes/"


def drafts_url(version) -> str:
    return f"/admin/themeconfig/themeversion/{quote(version.pk)}/ai-drafts/"


def row(model, pk, tenant_id):
    with tenant_context(tenant_id):
        return model.objects.get(pk=pk)


def run_job(job_id: str, tenant_id: str) -> GenerationJob:
    return generation.generation_job_run(job_id=job_id, tenant_id=tenant_id, worker="test")


def palette_suggestion(staff, theme, mood="calm") -> PaletteSuggestion:
    job = generation.palette_generation_request(principal=staff.principals["member"], theme_id=theme.pk, mood=mood)
    job = run_job(job.pk, staff.tenant.id)
    assert job.status == "succeeded", (job.error_code, job.error_message)
    return row(PaletteSuggestion, job.draft_id, staff.tenant.id)


def translation_draft(staff, version, locale="fr") -> TranslationDraft:
    job = generation.translation_generation_request(principal=staff.principals["member"], version_id=version.pk,
                                                    locale=locale)
    job = run_job(job.pk, staff.tenant.id)
    assert job.status == "succeeded", (job.error_code, job.error_message)
    return row(TranslationDraft, job.draft_id, staff.tenant.id)


def jobs_of(tenant_id) -> list[GenerationJob]:
    with tenant_context(tenant_id):
        return list(GenerationJob.objects.all())


def default_kit(staff) -> str:
    with tenant_context(staff.tenant.id):
        return BrandKit.objects.get(is_default=True).pk


def theme_versions(theme) -> list[str]:
    with tenant_context(theme.tenant_id):
        return list(ThemeVersion.objects.filter(theme_id=theme.pk).order_by("-ordinal").values_list("pk", flat=True))


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


# --- pages by role ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ROLES)
def test_ai_pages__role__everyone_reads_editors_ask_reviewers_decide(client, staff, theme, version, role):
    palette_suggestion(staff, theme)
    translation_draft(staff, version)
    sign_in(client, staff, role)
    palettes = client.get(palettes_url(theme))
    drafts = client.get(drafts_url(version))
    assert palettes.status_code == 200 and drafts.status_code == 200
    palettes_html, drafts_html = palettes.content.decode(), drafts.content.decode()
    # Everyone sees the tabs, the jobs and the drafts.
    assert ">AI palettes</a>" in palettes_html and ">AI drafts</a>" in drafts_html
    assert "Palette suggestions" in palettes_html and 'class="ai-swatch"' in palettes_html
    assert "Translation drafts" in drafts_html and "booking.search.title" in drafts_html
    assert "Generation jobs" in palettes_html and "Succeeded" in palettes_html
    asks = 'value="ask"' in palettes_html, 'value="ask_translation"' in drafts_html, 'value="ask_content"' in drafts_html
    decides = 'value="approve"' in palettes_html, 'value="approve"' in drafts_html
    if role == "viewer":
        assert asks == (False, False, False) and decides == (False, False)
        assert "Your role can read" in palettes_html and "Your role can read" in drafts_html
    else:
        assert asks == (True, True, True) and decides == (True, True)


def test_ai_pages__viewer_posts__403_and_nothing_asked_or_decided(client, staff, theme, version):
    suggestion = palette_suggestion(staff, theme)
    translation = translation_draft(staff, version)
    jobs_before = len(jobs_of(staff.tenant.id))
    sign_in(client, staff, "viewer")
    posts = [
        (palettes_url(theme), {"action": "ask", "mood": "calm"}),
        (palettes_url(theme), {"action": "approve", "draft_id": suggestion.pk}),
        (palettes_url(theme), {"action": "reject", "draft_id": suggestion.pk, f"{suggestion.pk}-note": "No"}),
        (drafts_url(version), {"action": "ask_translation", "translation-locale": "fr"}),
        (drafts_url(version), {"action": "ask_content", "content-surface": "home", "content-kind": "rich_text"}),
        (drafts_url(version), {"action": "approve", "kind": "translation", "draft_id": translation.pk}),
        (drafts_url(version), {"action": "reject", "kind": "translation", "draft_id": translation.pk,
                               f"{translation.pk}-note": "No"}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 403, data
    assert len(jobs_of(staff.tenant.id)) == jobs_before
    assert row(PaletteSuggestion, suggestion.pk, staff.tenant.id).status == "pending"
    assert row(TranslationDraft, translation.pk, staff.tenant.id).status == "pending"


def test_ai_pages__role_that_edits_but_does_not_review__asks_but_cannot_decide(client, staff, theme, monkeypatch):
    """No staff role has themes.edit without ai.review today; the pages check each on its own."""
    monkeypatch.setitem(permissions.ROLE_PERMISSIONS, "member",
                        permissions.ROLE_PERMISSIONS["member"] - {Permission.AI_REVIEW})
    suggestion = palette_suggestion(staff, theme)
    sign_in(client, staff, "member")
    page = client.get(palettes_url(theme)).content.decode()
    assert 'value="ask"' in page and 'value="approve"' not in page
    assert client.post(palettes_url(theme), {"action": "approve", "draft_id": suggestion.pk}).status_code == 403
    assert client.post(palettes_url(theme), {"action": "ask", "mood": "vibrant", "brand_kit_id": default_kit(staff),
                                             "version_id": theme_versions(theme)[0]}).status_code == 302
    assert row(PaletteSuggestion, suggestion.pk, staff.tenant.id).status == "pending"


# --- palettes ------------------------------------------------------------------------------------------------

def test_palette__ask_poll_run_swatches_approve__the_colours_land_on_the_draft(client, staff, theme, version):
    sign_in(client, staff, "member")
    page = client.get(palettes_url(theme)).content.decode()
    assert 'name="mood"' in page and "House (default)" in page and f'value="{version.pk}"' in page

    response = client.post(palettes_url(theme), {"action": "ask", "mood": "calm", "brand_kit_id": "",
                                                  "version_id": version.pk})
    assert response.status_code == 200  # no brand kit chosen: the form again, the error beside the field
    assert "brand_kit_id" in response.context["ask_form"].errors

    kit_id = re.search(r'<option value="(bkt_[0-9A-Z]+)"', page).group(1)
    response = client.post(palettes_url(theme), {"action": "ask", "mood": "calm", "brand_kit_id": kit_id,
                                                  "version_id": version.pk})
    assert response.status_code == 302
    (job,) = jobs_of(staff.tenant.id)
    assert response["Location"] == f"{palettes_url(theme)}?job={job.pk}"
    assert job.parameters == {"mood": "calm", "brand_kit_id": kit_id, "version_id": version.pk}
    assert job.requested_by == f"user:{staff.users['member'].pk}"
    started = [str(m) for m in client.get(response["Location"]).context["messages"]]
    assert started == ["Asked for a draft: the job is queued. It shows below as it runs."]  # no raw job id

    followed = client.get(response["Location"]).content.decode()
    assert f'data-job-poll-url="{palettes_url(theme)}?job={job.pk}&amp;format=json"' in followed
    assert 'aria-live="polite"' in followed and "Queued: waiting for a worker" in followed
    assert "platform/jobs/job-progress.js" in followed and ">Refresh</a>" in followed

    polled = client.get(palettes_url(theme), {"job": job.pk, "format": "json"})
    assert polled.status_code == 200 and "no-store" in polled["Cache-Control"]
    assert polled.json()["job"]["status"] == "queued" and polled.json()["job"]["finished"] is False

    run_job(job.pk, staff.tenant.id)
    done = client.get(palettes_url(theme), {"job": job.pk, "format": "json"}).json()["job"]
    assert done["status"] == "succeeded" and done["finished"] is True
    assert done["draft_url"] == f"{palettes_url(theme)}#draft-{done['draft_id']}"

    suggestion = row(PaletteSuggestion, done["draft_id"], staff.tenant.id)
    current = row(ThemeVersion, version.pk, staff.tenant.id).tokens["color"]
    drafted = suggestion.drafted_tokens["color"]
    page = client.get(palettes_url(theme)).content.decode()
    card = page[page.index(f'id="draft-{suggestion.pk}"'):]
    assert "Offline provider (computed on this server, no AI model)" in card
    assert '<span class="tc-badge tc-badge--pending">Pending review</span>' in card
    # Current and drafted primary side by side, each a swatch with its hex.
    primary = card[card.index("<code>primary</code>"):card.index("</tr>", card.index("<code>primary</code>"))]
    assert f'background-color: {current["primary"].lower()}' in primary and current["primary"].lower() in primary
    assert f'background-color: {drafted["primary"].lower()}' in primary
    assert "<code>on_primary</code> on <code>primary</code>" in card and "PASS" in card

    response = client.post(palettes_url(theme), {"action": "approve", "draft_id": suggestion.pk,
                                                  f"{suggestion.pk}-version_id": version.pk,
                                                  f"{suggestion.pk}-note": "Calm it is"}, follow=True)
    assert "Draft approved and applied to the version." in messages_of(response)
    assert row(ThemeVersion, version.pk, staff.tenant.id).tokens["color"] == drafted
    decided = row(PaletteSuggestion, suggestion.pk, staff.tenant.id)
    assert decided.status == "approved" and decided.approver_note == "Calm it is"
    assert decided.applied_to_version_id == version.pk
    decided_card = response.content.decode()[response.content.decode().index(f'id="draft-{suggestion.pk}"'):]
    assert 'value="approve"' not in decided_card
    # Said as people name it: the version's number, not its id or the draft's.
    decision = decided_card[decided_card.index('class="ai-decision"'):decided_card.index("</p>", decided_card.index('class="ai-decision"'))]
    assert "applied to version 1" in decision
    assert not re.search(r"\b(thv|ais)_[0-9A-Z]{22}\b", re.sub(r"<[^>]*>", " ", decided_card[decided_card.index(">") + 1:decided_card.index("</article>")]))


def test_palette__made_before_an_edit__stale_on_approve_with_the_message_nothing_applied(client, staff, theme, version):
    suggestion = palette_suggestion(staff, theme, mood="vibrant")
    edited = services.version_update(principal=staff.principals["owner"], version_id=version.pk,
                                     expected_version=row(ThemeVersion, version.pk, staff.tenant.id).version,
                                     release_notes="Edited after the palette was drafted")
    sign_in(client, staff, "admin")
    response = client.post(palettes_url(theme), {"action": "approve", "draft_id": suggestion.pk,
                                                  f"{suggestion.pk}-version_id": version.pk}, follow=True)
    (message,) = messages_of(response)
    assert "changed since the draft was generated" in message and "nothing was applied" in message
    assert message in response.content.decode()
    assert row(ThemeVersion, version.pk, staff.tenant.id).tokens == edited.tokens
    assert row(PaletteSuggestion, suggestion.pk, staff.tenant.id).status == "pending"


def test_palette__reject_without_a_note__error_beside_the_note_then_rejected_with_one(client, staff, theme, version):
    suggestion = palette_suggestion(staff, theme)
    sign_in(client, staff, "member")
    response = client.post(palettes_url(theme), {"action": "reject", "draft_id": suggestion.pk,
                                                  f"{suggestion.pk}-note": "  "})
    assert response.status_code == 200
    (card,) = [c for c in response.context["cards"] if c["draft"].pk == suggestion.pk]
    assert card["form"].errors == {"note": ["Say why in a note."]}
    html = response.content.decode()
    note_field = html[html.index(f'for="id_{suggestion.pk}-note"'):]
    assert note_field.index("Say why in a note.") < note_field.index("<textarea")
    assert row(PaletteSuggestion, suggestion.pk, staff.tenant.id).status == "pending"

    response = client.post(palettes_url(theme), {"action": "reject", "draft_id": suggestion.pk,
                                                  f"{suggestion.pk}-note": "Too loud"}, follow=True)
    assert "Draft rejected." in messages_of(response)
    rejected = row(PaletteSuggestion, suggestion.pk, staff.tenant.id)
    assert rejected.status == "rejected" and rejected.approver_note == "Too loud"
    assert "Note: Too loud" in response.content.decode()


def test_palette__decided_twice__the_refusal_as_a_message(client, staff, theme, version):
    suggestion = palette_suggestion(staff, theme)
    ai_services.draft_reject(principal=staff.principals["owner"], kind="palette", draft_id=suggestion.pk, note="No")
    sign_in(client, staff, "member")
    response = client.post(palettes_url(theme), {"action": "approve", "draft_id": suggestion.pk}, follow=True)
    assert messages_of(response) == ["This palette suggestion is already rejected."]


def test_palette__status_filter__pending_first_then_one_status(client, staff, theme, version):
    first = palette_suggestion(staff, theme, mood="calm")
    ai_services.draft_reject(principal=staff.principals["owner"], kind="palette", draft_id=first.pk, note="No")
    second = palette_suggestion(staff, theme, mood="playful")
    sign_in(client, staff, "viewer")
    listed = [c["draft"].pk for c in client.get(palettes_url(theme)).context["cards"]]
    assert listed == [second.pk, first.pk]  # the pending one first, although newer ones come first otherwise
    assert [c["draft"].pk for c in client.get(palettes_url(theme), {"status": "rejected"}).context["cards"]] == [first.pk]
    page = client.get(palettes_url(theme), {"status": "approved"}).content.decode()
    assert "No suggestions with this status." in page and 'aria-current="page" class="ai-status-tab--current">Approved' in page


def test_palette__over_the_pending_limit__the_refusal_as_a_message_no_job(client, staff, theme, version, settings):
    settings.AI_MAX_PENDING_DRAFTS = 0
    sign_in(client, staff, "member")
    page = client.get(palettes_url(theme)).content.decode()
    kit_id = re.search(r'<option value="(bkt_[0-9A-Z]+)"', page).group(1)
    response = client.post(palettes_url(theme), {"action": "ask", "mood": "calm", "brand_kit_id": kit_id,
                                                  "version_id": version.pk}, follow=True)
    (message,) = messages_of(response)
    assert "approve or reject some first" in message
    assert jobs_of(staff.tenant.id) == []


def test_palette__theme_without_a_draft__says_so_instead_of_the_form(client, staff, theme, version):
    services.version_archive(principal=staff.principals["owner"], version_id=version.pk,
                             expected_version=row(ThemeVersion, version.pk, staff.tenant.id).version)
    sign_in(client, staff, "member")
    page = client.get(palettes_url(theme)).content.decode()
    assert 'value="ask"' not in page and "create a draft first" in page


def test_failed_job__code_message_and_each_problem_shown(client, staff, theme, version):
    job = generation.content_generation_request(principal=staff.principals["member"], version_id=version.pk,
                                                surface="detail", kind="map", facts={"name": "Lodge"})
    run_job(job.pk, staff.tenant.id)
    sign_in(client, staff, "viewer")
    page = client.get(drafts_url(version)).content.decode()
    assert "Failed (MELMASTOON.AI.PROVIDER_INPUT_REJECTED)" in page
    assert "<code>/property_facts/latitude</code>: This content kind needs this fact." in page
    polled = client.get(drafts_url(version), {"job": job.pk, "format": "json"}).json()["job"]
    assert polled["status"] == "failed" and polled["error_code"] == "MELMASTOON.AI.PROVIDER_INPUT_REJECTED"
    assert polled["errors"] == [{"path": "/property_facts/latitude", "message": "This content kind needs this fact."}]


# --- translations and content -------------------------------------------------------------------------

def test_translation__ask_run_diff_partial_approval__only_the_ticked_keys_applied(client, staff, theme, version):
    sign_in(client, staff, "member")
    page = client.get(drafts_url(version)).content.decode()
    locales = re.search(r'<select name="translation-locale"[^>]*>(.*?)</select>', page, re.S).group(1)
    assert 'value="fr"' in locales and 'value="en"' not in locales  # the default locale is the source

    response = client.post(drafts_url(version), {"action": "ask_translation", "translation-locale": "fr",
                                                 "translation-plural_categories": "target"})
    assert response.status_code == 302
    (job,) = jobs_of(staff.tenant.id)
    assert job.kind == "translation" and job.parameters["locale"] == "fr"
    assert client.get(drafts_url(version), {"job": job.pk, "format": "json"}).json()["job"]["status"] == "queued"
    run_job(job.pk, staff.tenant.id)
    draft = row(TranslationDraft, row(GenerationJob, job.pk, staff.tenant.id).draft_id, staff.tenant.id)

    page = client.get(drafts_url(version)).content.decode()
    card = page[page.index(f'id="draft-{draft.pk}"'):]
    assert "A pseudo-localisation for checking layouts" in card
    assert f'name="{draft.pk}-keys" value="common.greeting"' in card
    assert '<span class="ai-change ai-change--added">Added</span>' in card
    ticked = ["booking.search.title", "common.greeting"]
    response = client.post(drafts_url(version), {"action": "approve", "kind": "translation", "draft_id": draft.pk,
                                                 f"{draft.pk}-keys": ticked, f"{draft.pk}-note": ""}, follow=True)
    assert "Draft approved and applied to the version." in messages_of(response)
    with tenant_context(staff.tenant.id):
        pack = LocalePack.objects.get(theme_version_id=version.pk, locale="fr")
    assert set(pack.entries) == set(ticked)
    assert pack.entries == {key: draft.drafted_entries[key] for key in ticked}
    approved = row(TranslationDraft, draft.pk, staff.tenant.id)
    assert approved.status == "approved" and approved.ai_provenance["approval"] == {"applied_keys": ticked}


def test_translation__approve_with_no_key_ticked__error_on_the_keys_nothing_applied(client, staff, theme, version):
    draft = translation_draft(staff, version)
    sign_in(client, staff, "member")
    response = client.post(drafts_url(version), {"action": "approve", "kind": "translation", "draft_id": draft.pk})
    assert response.status_code == 200
    assert "keys is a non-empty list" in response.content.decode()
    with tenant_context(staff.tenant.id):
        assert not LocalePack.objects.filter(theme_version_id=version.pk, locale="fr").exists()


def test_translation__texts_are_escaped(client, staff, theme, version):
    with tenant_context(staff.tenant.id):
        pack = LocalePack.objects.get(theme_version_id=version.pk, locale="en")
    services.locale_pack_put(principal=staff.principals["owner"], version_id=version.pk, locale="en",
                             entries={**samples.valid_default_entries(), "promo.note": "Save 10% & more <now>"},
                             expected_version=pack.version)
    draft = translation_draft(staff, version)
    sign_in(client, staff, "viewer")
    page = client.get(drafts_url(version)).content.decode()
    card = page[page.index(f'id="draft-{draft.pk}"'):]
    assert "<now>" not in card and "&lt;" in card and "&amp;" in card


def test_content__ask_with_facts_run_current_and_drafted_approve__the_block_is_created(client, staff, theme, version):
    sign_in(client, staff, "member")
    response = client.post(drafts_url(version), {
        "action": "ask_content", "content-surface": "about", "content-kind": "rich_text", "content-locale": "en",
        "content-content_block_id": "", "content-name": "Hotel Miramar", "content-city": "Lisbon",
        "content-description": "A townhouse above the river.", "content-amenities": ["wifi", "bar"],
    })
    assert response.status_code == 302
    (job,) = jobs_of(staff.tenant.id)
    assert job.parameters["facts"] == {"name": "Hotel Miramar", "city": "Lisbon",
                                       "description": "A townhouse above the river.", "amenities": ["wifi", "bar"]}
    run_job(job.pk, staff.tenant.id)
    draft = row(ContentDraft, row(GenerationJob, job.pk, staff.tenant.id).draft_id, staff.tenant.id)
    page = client.get(drafts_url(version)).content.decode()
    card = page[page.index(f'id="draft-{draft.pk}"'):]
    assert "None: this would be a new block." in card and "About Hotel Miramar" in card
    assert "&lt;h2&gt;" in card  # the drafted HTML is shown as text, never rendered

    response = client.post(drafts_url(version), {"action": "approve", "kind": "content", "draft_id": draft.pk},
                           follow=True)
    assert "Draft approved and applied to the version." in messages_of(response)
    with tenant_context(staff.tenant.id):
        block = ContentBlock.objects.get(theme_version_id=version.pk, surface="about")
    assert block.kind == "rich_text" and block.body == draft.drafted_body


def test_content__rewrite_of_a_block__current_beside_drafted(client, staff, theme, version):
    block = services.content_block_create(principal=staff.principals["owner"], version_id=version.pk, surface="home",
                                          kind="rich_text", body={"en": {"format": "markdown", "value": "Old words"}},
                                          meta={"kind": "rich_text"})
    job = generation.content_generation_request(principal=staff.principals["member"], version_id=version.pk,
                                                surface="home", kind="rich_text", content_block_id=block.pk,
                                                facts={"name": "Lodge"})
    draft_id = run_job(job.pk, staff.tenant.id).draft_id
    sign_in(client, staff, "member")
    page = client.get(drafts_url(version)).content.decode()
    assert f'<option value="{block.pk}">Home · Rich text #1</option>' in page  # the block to rewrite, in the ask form
    card = page[page.index(f'id="draft-{draft_id}"'):]
    assert "Rewrites Home · Rich text #1 (changed)" in card and block.pk not in re.sub(r"<[^>]*>", " ", card)
    assert card.index("Old words") < card.index("About Lodge")


def test_translation__published_version__no_ask_forms(client, staff, theme, version):
    services.version_archive(principal=staff.principals["owner"], version_id=version.pk,
                             expected_version=row(ThemeVersion, version.pk, staff.tenant.id).version)
    sign_in(client, staff, "owner")
    page = client.get(drafts_url(version)).content.decode()
    assert 'value="ask_translation"' not in page and 'value="ask_content"' not in page
    assert "drafts cannot be asked for or applied here" in page


# --- another tenant's ------------------------------------------------------------------------------------

def test_other_tenants_draft_or_job__404_and_nothing_changed(client, staff, theme, version, tenant_factory):
    other = tenant_factory(name="Other Hotels")
    other_owner = Principal.operator("test", tenant_id=other.id)
    other_theme, other_version = arrange_theme(other_owner, name="Elsewhere")
    job = generation.palette_generation_request(principal=other_owner, theme_id=other_theme.pk, mood="calm")
    their_palette = row(PaletteSuggestion, run_job(job.pk, other.id).draft_id, other.id)
    job = generation.translation_generation_request(principal=other_owner, version_id=other_version.pk, locale="fr")
    their_translation = row(TranslationDraft, run_job(job.pk, other.id).draft_id, other.id)
    their_tokens = row(ThemeVersion, other_version.pk, other.id).tokens

    sign_in(client, staff, "owner")
    assert client.post(palettes_url(theme), {"action": "approve", "draft_id": their_palette.pk,
                                             f"{their_palette.pk}-version_id": version.pk}).status_code == 404
    assert client.post(palettes_url(theme), {"action": "reject", "draft_id": their_palette.pk,
                                             f"{their_palette.pk}-note": "x"}).status_code == 404
    assert client.post(drafts_url(version), {"action": "approve", "kind": "translation",
                                             "draft_id": their_translation.pk}).status_code == 404
    assert client.get(palettes_url(theme), {"job": job.pk, "format": "json"}).status_code == 404
    assert client.get(drafts_url(version), {"job": job.pk, "format": "json"}).status_code == 404
    assert row(PaletteSuggestion, their_palette.pk, other.id).status == "pending"
    assert row(TranslationDraft, their_translation.pk, other.id).status == "pending"
    assert row(ThemeVersion, other_version.pk, other.id).tokens == their_tokens
    with tenant_context(staff.tenant.id):
        assert not LocalePack.objects.filter(locale="fr").exists()


def test_draft_of_another_version__404_on_this_page(client, staff, theme, version):
    suggestion = palette_suggestion(staff, theme)
    translation = translation_draft(staff, version)
    newer = services.version_create(principal=staff.principals["owner"], theme_id=theme.pk, from_version_id=version.pk)
    sign_in(client, staff, "owner")
    assert client.post(drafts_url(newer), {"action": "approve", "kind": "translation",
                                           "draft_id": translation.pk}).status_code == 404
    assert client.post(drafts_url(newer), {"action": "approve", "kind": "palette",
                                           "draft_id": suggestion.pk}).status_code == 404
    assert row(TranslationDraft, translation.pk, staff.tenant.id).status == "pending"


def test_content_draft_form__kind_choices__faq_reads_FAQ_like_the_content_page():
    from ai_workspace.admin.drafts import ContentAskForm

    labels = dict(ContentAskForm.base_fields["kind"].choices)
    assert labels["faq"] == "FAQ" and labels["cta_banner"] == "Call-to-action banner"
