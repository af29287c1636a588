"""The version's structure pages in the tenant admin (navigation, booking flow, e-mail) by role: forms of plain
inputs saved through navigation_put / booking_flow_put / email_theme_put, structural edits as POSTs of the whole
form, refusals beside the input their JSON path names with the input kept, stale saves naming who and when,
and read-only pages for viewers, published versions and deleted themes."""
from __future__ import annotations

import re

import pytest
from django.utils import timezone

from tests.factories.admin_staff import ROLES, Staff, make_staff, sign_in
from tests.unit.themeconfig.validators import samples
from themeconfig import services
from themeconfig.admin.structure import NavRow, nav_apply
from themeconfig.models import BookingFlowConfig, EmailTheme, NavigationConfig, Theme, ThemeVersion
from themeconfig.platform.tenant_context import tenant_context
from themeconfig.validators.booking_flow import STEP_IDS

pytestmark = pytest.mark.django_db

VERSIONS = "/admin/themeconfig/themeversion/"
PAGES = ("navigation", "booking", "email")


@pytest.fixture
def staff() -> Staff:
    return make_staff("Structure Hotels")


@pytest.fixture
def theme(staff) -> Theme:
    return services.theme_create(principal=staff.principals["owner"], name="Lakeside", enabled_locales=["en", "fr"],
                                 fallback_chain=["fr", "en"])


@pytest.fixture
def draft(staff, theme) -> ThemeVersion:
    return services.version_create(principal=staff.principals["member"], theme_id=theme.pk)


def url(version, page: str) -> str:
    return f"{VERSIONS}{version.pk}/{page}/"


def child(model, version, **lookup):
    with tenant_context(version.tenant_id):
        return model.objects.filter(theme_version_id=version.pk, **lookup).first()


# --- navigation form data ---------------------------------------------------------------------------

def nav_row(id: str, depth: int, en: str, *, fr: str = "", kind: str = "page", target: str | None = None) -> dict:
    return {"id": id, "depth": depth, "kind": kind, "target": f"/{id}" if target is None else target,
            "label-en": en, "label-fr": fr}


def nav_post(rows: list[dict], *, op: str = "save", surface: str = "header", expected_version: int = 0) -> dict:
    data = {"surface": surface, "expected_version": expected_version, "rows": len(rows), "op": op}
    for index, row in enumerate(rows):
        data.update({f"row-{index}-{key}": value for key, value in row.items()})
    return data


def stored_tree(version, surface: str = "header") -> list:
    config = child(NavigationConfig, version, surface=surface)
    return config.items if config else []


# --- every page, by role ----------------------------------------------------------------------------

@pytest.mark.parametrize("role", ROLES)
def test_structure_pages__role__everyone_reads_only_editors_get_forms(client, staff, draft, role):
    sign_in(client, staff, role)
    for page in PAGES:
        response = client.get(url(draft, page))
        assert response.status_code == 200, (page, role)
        content = response.content.decode()
        assert ('name="op"' in content) is (role != "viewer"), (page, role)
        assert 'aria-current="page" class="tc-tab--current"' in content
        assert "themeconfig/admin/structure.js" in content
    if role == "viewer":
        assert "Your role can read this version" in content


def test_structure_tabs__version_page__navigation_booking_and_email_in_order(client, staff, draft):
    sign_in(client, staff, "viewer")
    tabs = [tab["title"] for tab in client.get(url(draft, "navigation")).context["workspace_tabs"]]
    assert tabs.index("Navigation") < tabs.index("Booking flow") < tabs.index("E-mail")


@pytest.mark.parametrize("page, data", [
    ("navigation", nav_post([nav_row("rooms", 1, "Rooms")])),
    ("booking", {"op": "save", "expected_version": 0}),
    ("email", {"op": "save", "expected_version": 0, "color-primary": "#aa0000"}),
])
def test_structure_post__viewer__403_and_nothing_stored(client, staff, draft, page, data):
    sign_in(client, staff, "viewer")
    assert client.post(url(draft, page), data).status_code == 403
    assert client.post(url(draft, page), {**data, "op": "add"}).status_code == 403
    assert child(NavigationConfig, draft) is None and child(BookingFlowConfig, draft) is None
    assert child(EmailTheme, draft) is None


def publish_in_place(version) -> None:
    with tenant_context(version.tenant_id):
        ThemeVersion.objects.filter(pk=version.pk).update(
            status="published", published_at=timezone.now(), published_by="test",
            published_bundle_url="https://cdn.example/b.json", published_bundle_sha256="0" * 64)


def test_structure_pages__published_version__same_content_no_forms_post_changes_nothing(client, staff, draft):
    services.navigation_put(principal=staff.principals["member"], version_id=draft.pk, surface="header",
                            items=[samples.nav_item("rooms", 0, children=[samples.nav_item("suites", 0)])])
    services.email_theme_put(principal=staff.principals["member"], version_id=draft.pk,
                             tokens=samples.valid_email_tokens(), logo_ref=samples.valid_logo_ref(),
                             footer=samples.valid_footer())
    publish_in_place(draft)
    sign_in(client, staff, "owner")
    for page in PAGES:
        content = client.get(url(draft, page)).content.decode()
        assert 'name="op"' not in content and "is published: it never changes" in content, page
    nav = client.get(url(draft, "navigation")).content.decode()
    assert "Suites" in nav and "level 2" in nav
    email = client.get(url(draft, "email")).content.decode()
    assert "#0b5fff" in email and "Hotel Lac SA" in email  # the read-only tokens and the sample
    response = client.post(url(draft, "navigation"), nav_post([nav_row("other", 1, "Other")], expected_version=2),
                           follow=True)
    assert "is published: it never changes" in response.content.decode()
    assert [item["id"] for item in stored_tree(draft)] == ["rooms"]


def test_structure_pages__deleted_theme__read_only(client, staff, theme, draft):
    services.theme_delete(principal=staff.principals["owner"], theme_id=theme.pk, expected_version=theme.version)
    sign_in(client, staff, "owner")
    for page in PAGES:
        content = client.get(url(draft, page)).content.decode()
        assert 'name="op"' not in content and "The theme is deleted" in content, page


# --- navigation -------------------------------------------------------------------------------------

def test_navigation_save__nested_item__stored_as_a_tree_and_shown_at_level_2(client, staff, draft):
    sign_in(client, staff, "member")
    rows = [nav_row("rooms", 1, "Rooms", fr="Chambres"), nav_row("suites", 2, "Suites"), nav_row("book", 1, "Book",
            kind="booking", target="search")]
    response = client.post(url(draft, "navigation"), nav_post(rows))
    assert response.status_code == 302 and response["Location"].endswith("?surface=header#nav-header")
    tree = stored_tree(draft)
    assert [(item["id"], [c["id"] for c in item["children"]]) for item in tree] == [("rooms", ["suites"]), ("book", [])]
    assert tree[0]["label"] == {"en": "Rooms", "fr": "Chambres"}  # the blank fr label of Suites is left out
    assert tree[0]["children"][0]["label"] == {"en": "Suites"}
    config = child(NavigationConfig, draft, surface="header")
    assert config.updated_by == f"user:{staff.users['member'].pk}"

    page = client.get(url(draft, "navigation"))
    content = page.content.decode()
    saved_tree = content.split('id="nav-header"')[1].split("</section>")[0]
    assert "level 2" in saved_tree and "Suites" in saved_tree and "Chambres" in saved_tree
    assert [row["depth"] for row in page.context["rows"]] == [1, 2, 1]
    assert 'class="tc-nav-row tc-indent-1' in content  # the editor row of Suites is indented
    assert 'name="expected_version" value="1"' in content


def test_navigation_save__too_deep__refused_beside_the_item_with_the_input_kept(client, staff, draft):
    sign_in(client, staff, "member")
    rows = [nav_row("a", 1, "A"), nav_row("b", 2, "B"), nav_row("c", 3, "C"), nav_row("deepest", 4, "Deepest")]
    response = client.post(url(draft, "navigation"), nav_post(rows))
    assert response.status_code == 200
    deepest = response.context["rows"][3]
    assert deepest["depth"] == 4
    assert deepest["errors"] == [{"path": "/items/0/children/0/children/0/children/0",
                                  "message": "Menus are at most 3 levels deep."}]
    assert [row["errors"] for row in response.context["rows"][:3]] == [[], [], []]
    content = response.content.decode()
    assert 'value="Deepest"' in content and "at most <strong>3 levels deep</strong>" in content
    assert 'href="#id_row-3"' in content  # the summary links to the item
    assert child(NavigationConfig, draft) is None


def test_navigation_save__bad_french_label_and_link__beside_those_inputs(client, staff, draft):
    sign_in(client, staff, "member")
    rows = [nav_row("rooms", 1, "Rooms"), nav_row("suites", 2, "Suites", fr="x" * 81, target="javascript:alert(1)")]
    response = client.post(url(draft, "navigation"), nav_post(rows))
    row = response.context["rows"][1]
    french = next(field for field in row["labels"] if field.name == "row-1-label-fr")
    assert [e["path"] for e in french.errors] == ["/items/0/children/0/label/fr"]
    assert [e["path"] for e in row["target"].errors] == ["/items/0/children/0/target"]
    assert "javascript:, data: and vbscript: URLs are not allowed." in row["target"].errors[0]["message"]
    assert french.value == "x" * 81 and row["target"].value == "javascript:alert(1)"


def test_navigation_ops__indent_outdent_move_add_remove__form_changes_nothing_stored(client, staff, draft):
    sign_in(client, staff, "member")
    rows = [nav_row("rooms", 1, "Rooms"), nav_row("spa", 1, "Spa"), nav_row("offers", 1, "Offers")]
    indented = client.post(url(draft, "navigation"), nav_post(rows, op="indent:1"))
    assert [(r["title"], r["depth"]) for r in indented.context["rows"]] == [("Rooms", 1), ("Spa", 2), ("Offers", 1)]
    assert "“Spa” is now at level 2 (not saved yet)." in indented.content.decode()
    assert child(NavigationConfig, draft) is None

    moved = client.post(url(draft, "navigation"), nav_post(rows, op="up:2"))
    assert [r["title"] for r in moved.context["rows"]] == ["Rooms", "Offers", "Spa"]
    moved = client.post(url(draft, "navigation"), nav_post(rows, op="down:0"))
    assert [r["title"] for r in moved.context["rows"]] == ["Spa", "Rooms", "Offers"]

    nested = [nav_row("rooms", 1, "Rooms"), nav_row("spa", 2, "Spa"), nav_row("offers", 1, "Offers")]
    outdented = client.post(url(draft, "navigation"), nav_post(nested, op="outdent:1"))
    assert [(r["title"], r["depth"]) for r in outdented.context["rows"]] == [("Rooms", 1), ("Spa", 1), ("Offers", 1)]
    removed = client.post(url(draft, "navigation"), nav_post(nested, op="remove:0"))
    assert [r["title"] for r in removed.context["rows"]] == ["Offers"]  # Rooms went with its sub-item
    added = client.post(url(draft, "navigation"), nav_post(nested, op="add"))
    assert [(r["id_input"].value, r["depth"]) for r in added.context["rows"]][-1] == ("item-1", 1)
    assert child(NavigationConfig, draft) is None


def test_navigation_indent_then_save__depth_stored(client, staff, draft):
    sign_in(client, staff, "member")
    rows = [nav_row("rooms", 1, "Rooms"), nav_row("spa", 1, "Spa")]
    form = client.post(url(draft, "navigation"), nav_post(rows, op="indent:1")).context["rows"]
    again = [nav_row(r["id_input"].value, r["depth"], r["title"]) for r in form]
    assert client.post(url(draft, "navigation"), nav_post(again)).status_code == 302
    assert [c["id"] for c in stored_tree(draft)[0]["children"]] == ["spa"]


def rows_of(*spec) -> list[NavRow]:
    return [NavRow(id=name, depth=depth, labels={"en": name}) for name, depth in spec]


def test_nav_apply__outdent__after_the_parents_other_sub_items_with_its_own():
    rows = rows_of(("a", 1), ("b", 2), ("b1", 3), ("c", 2), ("d", 1))
    after, _ = nav_apply(rows, "outdent", 1, ["en"])
    assert [(r.id, r.depth) for r in after] == [("a", 1), ("c", 2), ("b", 1), ("b1", 2), ("d", 1)]


def test_nav_apply__first_of_a_list__cannot_indent_or_move_up():
    rows = rows_of(("a", 1), ("b", 2))
    for op in ("indent", "up"):
        after, status = nav_apply(rows_of(("a", 1), ("b", 2)), op, 1, ["en"])
        assert [(r.id, r.depth) for r in after] == [(r.id, r.depth) for r in rows] and "cannot" in status


def test_navigation_save__stale__says_who_and_when_keeps_input_then_overwrites(client, staff, draft):
    services.navigation_put(principal=staff.principals["member"], version_id=draft.pk, surface="footer",
                            items=[samples.nav_item("legal", 0)])
    services.navigation_put(principal=staff.principals["admin"], version_id=draft.pk, surface="footer",
                            items=[samples.nav_item("theirs", 0)], expected_version=1)
    sign_in(client, staff, "member")
    data = nav_post([nav_row("mine", 1, "Mine")], surface="footer", expected_version=1)
    response = client.post(url(draft, "navigation"), data)
    content = response.content.decode()
    assert response.status_code == 200
    assert "admin_person@example.com changed the footer navigation at" in content and "(now version 2)" in content
    assert 'value="Mine"' in content and 'name="expected_version" value="2"' in content
    assert [item["id"] for item in stored_tree(draft, "footer")] == ["theirs"]
    again = client.post(url(draft, "navigation"), {**data, "expected_version": 2})
    assert again.status_code == 302 and [item["id"] for item in stored_tree(draft, "footer")] == ["mine"]


def test_navigation_save__created_by_someone_else_meanwhile__a_conflict_not_an_error(client, staff, draft):
    sign_in(client, staff, "member")
    page = client.get(url(draft, "navigation"))
    assert page.context["editing"].expected_version == 0
    services.navigation_put(principal=staff.principals["admin"], version_id=draft.pk, surface="header",
                            items=[samples.nav_item("theirs", 0)])
    response = client.post(url(draft, "navigation"), nav_post([nav_row("mine", 1, "Mine")]))
    assert "admin_person@example.com changed the header navigation at" in response.content.decode()
    assert response.context["editing"].expected_version == 1


# --- booking flow -----------------------------------------------------------------------------------

def booking_post(steps: dict[str, list[str] | None], *, order=STEP_IDS, optional_required=(), toggles=(),
                 consent=None, expected_version: int = 0, op: str = "save") -> dict:
    """`steps`: step id → its fields (None: not in the flow)."""
    data = {"op": op, "expected_version": expected_version}
    for index, step_id in enumerate(order):
        data[f"step-{index}-id"] = step_id
        if steps.get(step_id) is not None:
            data[f"step-{index}-enabled"] = "1"
            data[f"step-{index}-fields"] = steps[step_id]
            if step_id in ("search", "room_select", "guest_details", "payment", "confirmation") or \
                    step_id in optional_required:
                data[f"step-{index}-required"] = "1"
    data.update({f"toggle-{name}": "1" for name in toggles})
    consent = consent or {"required": True, "text": {"en": "I agree.", "fr": "J'accepte."}, "policy_url": "/privacy"}
    if consent["required"]:
        data["consent-required"] = "1"
    data.update({f"consent-text-{code}": text for code, text in consent["text"].items()})
    data["consent-policy_url"] = consent["policy_url"]
    return data


REQUIRED_ONLY = {"search": ["check_in", "check_out", "adults"], "room_select": ["room_type"],
                 "guest_details": ["first_name", "last_name", "email"], "payment": ["card"],
                 "confirmation": ["summary"]}


def test_booking_save__steps_toggles_consent_per_locale__stored(client, staff, draft):
    sign_in(client, staff, "member")
    data = booking_post({**REQUIRED_ONLY, "extras": ["breakfast", "parking"]}, toggles=("allow_multi_room",),
                        consent={"required": True, "text": {"en": "I accept the policy.", "fr": "J'accepte la politique."},
                                 "policy_url": "https://hotel.example/privacy"})
    response = client.post(url(draft, "booking"), data)
    assert response.status_code == 302
    flow = child(BookingFlowConfig, draft)
    assert [s["id"] for s in flow.steps] == ["search", "room_select", "extras", "guest_details", "payment",
                                             "confirmation"]
    assert flow.steps[2] == {"id": "extras", "ordinal": 2, "required": False, "fields": ["breakfast", "parking"]}
    assert flow.toggles["allow_multi_room"] is True and flow.toggles["show_promo_code"] is False
    assert flow.consent["text"] == {"en": "I accept the policy.", "fr": "J'accepte la politique."}

    # Disabled again: the step leaves the flow, the others are numbered without it.
    flow_version = flow.version
    assert client.post(url(draft, "booking"), booking_post(REQUIRED_ONLY, expected_version=flow_version)).status_code == 302
    flow = child(BookingFlowConfig, draft)
    assert "extras" not in [s["id"] for s in flow.steps] and [s["ordinal"] for s in flow.steps] == [0, 1, 2, 3, 4]
    page = client.get(url(draft, "booking"))
    extras = next(step for step in page.context["steps"] if step["id"] == "extras")
    assert extras["enabled"] is False and 'lang="fr"' in page.content.decode()


def test_booking_no_flow_yet__form_starts_from_required_steps__saves_as_is(client, staff, draft):
    sign_in(client, staff, "member")
    page = client.get(url(draft, "booking"))
    assert [s["id"] for s in page.context["steps"] if s["enabled"]] == [
        "search", "room_select", "guest_details", "payment", "confirmation"]
    data = booking_post({**REQUIRED_ONLY, "search": ["check_in", "check_out", "adults", "promo_code"]},
                        toggles=("show_promo_code",))
    assert client.post(url(draft, "booking"), data).status_code == 302


def test_booking_page__editor__steps_in_the_fixed_order_without_move_buttons(client, staff, draft):
    sign_in(client, staff, "member")
    page = client.get(url(draft, "booking"))
    content = page.content.decode()
    assert [s["id"] for s in page.context["steps"]] == list(STEP_IDS)
    assert "The steps run in the fixed order shown" in content
    assert "Move up" not in content and "Move down" not in content
    assert 'value="up:' not in content and 'value="down:' not in content
    # Each field's checkbox says what it collects in words; its code stays the posted value.
    assert '<label for="id_step-0-fields-check_in">Check-in (required)</label>' in content
    assert ">Promo code<" in content and "check_in (required)" not in content and ">promo_code<" not in content


def test_booking_post__steps_posted_out_of_order__shown_and_saved_in_the_fixed_order(client, staff, draft):
    sign_in(client, staff, "member")
    swapped = ["room_select", "search", *STEP_IDS[2:]]
    # A structural op (from a page with the old Move buttons) changes nothing and saves nothing.
    moved = client.post(url(draft, "booking"), booking_post(REQUIRED_ONLY, order=swapped, op="down:0"))
    assert moved.status_code == 200 and child(BookingFlowConfig, draft) is None
    assert [s["id"] for s in moved.context["steps"]] == list(STEP_IDS)
    assert "cannot be moved; nothing is saved yet." in moved.content.decode()

    assert client.post(url(draft, "booking"), booking_post(REQUIRED_ONLY, order=swapped)).status_code == 302
    assert [s["id"] for s in child(BookingFlowConfig, draft).steps] == [
        "search", "room_select", "guest_details", "payment", "confirmation"]


def test_booking_save__toggle_without_its_field__refused_beside_the_toggle(client, staff, draft):
    sign_in(client, staff, "member")
    response = client.post(url(draft, "booking"), booking_post(REQUIRED_ONLY, toggles=("require_phone",)))
    toggle = next(t for t in response.context["toggles"] if t.name == "toggle-require_phone")
    assert [e["path"] for e in toggle.errors] == ["/toggles/require_phone"] and toggle.checked
    french = client.post(url(draft, "booking"), booking_post(REQUIRED_ONLY, consent={
        "required": True, "text": {"en": "Yes", "fr": "x" * 2001}, "policy_url": "javascript:alert(1)"}))
    texts = {field.name: field for field in french.context["consent_texts"]}
    assert [e["path"] for e in texts["consent-text-fr"].errors] == ["/consent/text/fr"]
    assert [e["path"] for e in french.context["policy_url"].errors] == ["/consent/policy_url"]


def test_booking_save__stale__who_and_when(client, staff, draft):
    steps, toggles, consent = samples.valid_steps(), samples.valid_toggles(), samples.valid_consent()
    services.booking_flow_put(principal=staff.principals["member"], version_id=draft.pk, steps=steps,
                              toggles=toggles, consent=consent)
    services.booking_flow_put(principal=staff.principals["owner"], version_id=draft.pk, steps=steps,
                              toggles=toggles, consent=consent, expected_version=1)
    sign_in(client, staff, "member")
    response = client.post(url(draft, "booking"), booking_post(REQUIRED_ONLY, expected_version=1))
    content = response.content.decode()
    assert "owner_person@example.com changed the booking flow at" in content and 'name="expected_version" value="2"' in content


def test_booking_page__viewer__steps_toggles_and_consent_as_text(client, staff, draft):
    services.booking_flow_put(principal=staff.principals["member"], version_id=draft.pk, steps=samples.valid_steps(),
                              toggles=samples.valid_toggles(), consent=samples.valid_consent())
    sign_in(client, staff, "viewer")
    content = client.get(url(draft, "booking")).content.decode()
    assert "Extras" in content and "guests may skip it" in content and "J&#x27;accepte la politique" in content
    fields = re.findall(r'<p class="tc-step__fields">Fields: ([^<]*)</p>', content)
    assert fields and "Check-in, Check-out, Adults" in fields[0] and not any("_" in text for text in fields), fields
    assert "<input" not in content.split('id="content-main"')[1]


# --- e-mail theme -----------------------------------------------------------------------------------

def email_post(**overrides) -> dict:
    data = {
        "op": "save", "expected_version": 0, "color-primary": "#0b5fff", "color-background": "#ffffff",
        "color-text": "#1a1a1a", "font-stack": "Helvetica, Arial", "font-fallback": "sans-serif",
        "content_width_px": "600", "button_radius_px": "4", "logo-url": "https://cdn.hotel.example/logo.png",
        "logo-alt-en": "Hotel Lac", "logo-width": "200", "logo-height": "60",
        "footer-address": "Quai du Mont-Blanc 1, Genève", "footer-legal-en": "Hotel Lac SA",
        "footer-legal-fr": "Hôtel Lac SA", "footer-unsubscribe-en": "Unsubscribe", "links": "1",
        "link-0-url": "https://hotel.example/privacy", "link-0-label-en": "Privacy",
    }
    return {**data, **overrides}


def test_email_save__footer_and_colour__stored_and_the_sample_shows_them(client, staff, draft):
    sign_in(client, staff, "member")
    response = client.post(url(draft, "email"), email_post(**{"color-primary": "#AA0000",
                                                              "footer-legal-fr": "Hôtel du Lac SA"}))
    assert response.status_code == 302 and response["Location"].endswith("#email-sample")
    theme = child(EmailTheme, draft)
    assert theme.tokens["colors"]["primary"] == "#aa0000"
    assert theme.footer["legal_text"] == {"en": "Hotel Lac SA", "fr": "Hôtel du Lac SA"}
    assert theme.footer["links"] == [{"label": {"en": "Privacy"}, "url": "https://hotel.example/privacy"}]
    page = client.get(url(draft, "email"))
    sample = page.context["sample_html"]
    assert "color:#aa0000" in sample and "Hotel Lac SA" in sample and "<img" not in sample  # the default locale
    french = client.get(url(draft, "email"), {"locale": "fr"}).context["sample_html"]
    assert "Hôtel du Lac SA" in french and "Votre réservation est confirmée" in french and 'lang="fr"' in french
    content = page.content.decode()
    assert "<iframe" in content and "sandbox" in content and "srcdoc=\"&lt;!doctype html&gt;" in content
    assert 'value="#aa0000"' in content  # the colour picker and the text input show the saved colour


def test_email_save__invalid_colour__refused_beside_the_field_input_kept(client, staff, draft):
    sign_in(client, staff, "member")
    response = client.post(url(draft, "email"), email_post(**{"color-primary": "not-a-colour",
                                                              "font-stack": "Comic Sans MS"}))
    assert response.status_code == 200
    primary = next(field for field in response.context["colors"] if field.name == "color-primary")
    assert primary.value == "not-a-colour" and [e["path"] for e in primary.errors] == ["/tokens/colors/primary"]
    assert "is not a CSS colour" in primary.errors[0]["message"]
    assert [e["path"] for e in response.context["font_stack"].errors] == ["/tokens/font_family/stack/0"]
    assert child(EmailTheme, draft) is None


def test_email_sample__footer_markup__escaped_inside_the_sandboxed_frame(client, staff, draft):
    sign_in(client, staff, "member")
    client.post(url(draft, "email"), email_post(**{"footer-address": '<script>alert(1)</script>"'}))
    page = client.get(url(draft, "email"))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.context["sample_html"]
    content = page.content.decode()
    assert "<script>alert(1)" not in content and "&amp;lt;script&amp;gt;" in content


def test_email_links__add_and_remove__form_only(client, staff, draft):
    sign_in(client, staff, "member")
    added = client.post(url(draft, "email"), email_post(op="add-link"))
    assert [link["url"] for link in added.context["state"].links] == ["https://hotel.example/privacy", ""]
    assert 'name="link-1-url"' in added.content.decode() and child(EmailTheme, draft) is None
    removed = client.post(url(draft, "email"), email_post(op="remove-link:0"))
    assert removed.context["state"].links == [] and 'value="Hotel Lac"' in removed.content.decode()


def test_email_save__stale__who_and_when_and_input_kept(client, staff, draft):
    services.email_theme_put(principal=staff.principals["admin"], version_id=draft.pk,
                             tokens=samples.valid_email_tokens(), logo_ref=samples.valid_logo_ref(),
                             footer=samples.valid_footer())
    sign_in(client, staff, "member")
    response = client.post(url(draft, "email"), email_post(**{"color-primary": "#123456"}))
    content = response.content.decode()
    assert "admin_person@example.com changed the e-mail theme at" in content and 'value="#123456"' in content
    assert child(EmailTheme, draft).tokens["colors"]["primary"] == "#0b5fff"


def test_email_page__viewer__saved_values_and_sample_without_inputs(client, staff, draft):
    services.email_theme_put(principal=staff.principals["member"], version_id=draft.pk,
                             tokens=samples.valid_email_tokens(), logo_ref=samples.valid_logo_ref(),
                             footer=samples.valid_footer())
    sign_in(client, staff, "viewer")
    page = client.get(url(draft, "email"))
    content = page.content.decode()
    assert "#0b5fff" in content and "Quai du Mont-Blanc" in content and "Hotel Lac SA" in page.context["sample_html"]
    assert "<input" not in content.split('id="content-main"')[1]
