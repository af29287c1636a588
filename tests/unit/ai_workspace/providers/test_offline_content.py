"""Offline content drafts: templates filled with facts, valid for the content block validators."""
from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ai_workspace.providers import ContentRequest, ProviderInputError
from ai_workspace.providers.offline import OfflineProvider
from themeconfig.validators import CONTENT_BLOCK_KINDS, validate_content_body, validate_content_meta

# How many examples: the Hypothesis profile (tests/conftest.py; HYPOTHESIS_PROFILE=deep for more).
HYPOTHESIS = settings(deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


def facts(**overrides) -> dict:
    return {
        "name": "Hotel Miramar",
        "city": "Lisbon",
        "country": "Portugal",
        "description": "A 1920s townhouse above the river, with a rooftop terrace.",
        "booking_url": "/book",
        "images": [
            {"url": "https://cdn.hotel.example/terrace.jpg", "alt": "Rooftop terrace at dusk"},
            {"url": "https://cdn.hotel.example/room.jpg"},
        ],
        "amenities": ["wifi", "breakfast", "bar", "not_an_amenity"],
        "room_type_codes": ["DLX", "STE-RIVER"],
        "latitude": 38.7071,
        "longitude": -9.1355,
        "testimonials": [{"author": "Ana", "rating": 5, "quote": "Loved the terrace.", "stay_date": "2025-06-01"}],
        "policy_type": "cancellation",
        "policy_text": "Free cancellation until 48 hours before arrival.\n\nLater cancellations pay one night.",
        **overrides,
    }


def draft(kind: str, *, locale: str = "en", surface: str = "home", **fact_overrides):
    request = ContentRequest(
        surface=surface, kind=kind, locale=locale, brand={"name": "Miramar Group"}, property_facts=facts(**fact_overrides)
    )
    return OfflineProvider().content(request)


@pytest.mark.parametrize("kind", CONTENT_BLOCK_KINDS)
def test_content__every_kind__body_and_meta_valid_and_already_normalised(kind):
    result = draft(kind, locale="en-GB")
    body, meta = result.output["body"], result.output["meta"]
    assert validate_content_body(body, enabled_locales=["en-GB"]) == body
    assert validate_content_meta(meta, kind=kind, enabled_locales=["en-GB"])["kind"] == kind
    assert result.provider == "offline" and result.model == "templates-1" and result.prompt_template_id == f"content.{kind}"


def test_content__amenities__only_known_codes_and_their_labels():
    output = draft("amenities").output
    assert output["meta"]["amenities"] == ["wifi", "breakfast", "bar"]
    assert "Free Wi-Fi" in output["body"]["en"]["value"]


def test_content__testimonials__only_the_quotes_given():
    output = draft("testimonials").output
    assert [item["quote"] for item in output["meta"]["items"]] == [{"en": "Loved the terrace."}]


@HYPOTHESIS
@given(st.text(max_size=80), st.sampled_from(["hero", "rich_text", "amenities", "faq", "policy", "map"]))
def test_content__hostile_fact_text__draft_still_valid_and_inert(name, kind):
    result = draft(kind, name=name or "x", description=f"[click](javascript:alert(1)) <script>x</script> {name}",
                   policy_text=f"<img src=x onerror=alert(1)> {name}")
    body = result.output["body"]
    assert validate_content_body(body, enabled_locales=["en"]) == body
    validate_content_meta(result.output["meta"], kind=kind, enabled_locales=["en"])
    value = body["en"]["value"]
    if body["en"]["format"] == "html":
        # Only the template's own tags, without attributes; the facts' markup arrives as escaped text.
        assert set(re.findall(r"<(\w+)", value)) <= {"h2", "p"} and re.search(r"<\w+\s", value) is None, value
    else:  # markdown: no link, image or HTML syntax comes from the facts, all of it is escaped text
        assert re.search(r"(?<!\\)[<\[]", value) is None, value


@pytest.mark.parametrize(
    ("kind", "overrides", "field"),
    [
        ("hero", {"images": []}, "/property_facts/images"),
        ("hero", {"images": [{"url": "http://insecure.example/a.jpg"}]}, "/property_facts/images/0/url"),
        ("map", {"latitude": None}, "/property_facts/latitude"),
        ("testimonials", {"testimonials": None}, "/property_facts/testimonials"),
        ("policy", {"policy_text": ""}, "/property_facts/policy_text"),
        ("policy", {"policy_type": "parking"}, "/property_facts/policy_type"),
        ("amenities", {"amenities": ["helipad"]}, "/property_facts/amenities"),
        ("sticker", {}, "/kind"),
    ],
)
def test_content__fact_a_template_needs_missing__provider_input_error_names_it(kind, overrides, field):
    with pytest.raises(ProviderInputError) as raised:
        draft(kind, **overrides)
    assert raised.value.field == field


@pytest.mark.parametrize(("fields", "field"), [({"locale": "fr"}, "/locale"), ({"surface": "lobby"}, "/surface")])
def test_content__locale_without_templates_or_unknown_surface__refused(fields, field):
    with pytest.raises(ProviderInputError) as raised:
        draft("hero", **fields)
    assert raised.value.field == field


def test_content__same_request_twice__same_draft():
    assert draft("faq").output == draft("faq").output
