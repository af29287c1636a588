"""Validator for a theme's booking flow: steps, toggles and consent (booking_flow_configs, seed §4.5).

steps: `[{"id": "search", "ordinal": 0, "required": true, "fields": ["check_in", "check_out", "adults"]}, …]`
  * ids are canonical (STEP_IDS), each at most once (`duplicate_step`); the steps in
    REQUIRED_STEPS must be present (`required_step_missing`) and flagged `"required": true`
    (`step_must_be_required`);
  * ordinals are 0..n-1 without gaps or repeats, and the steps taken by ordinal must follow the
    canonical order of STEP_IDS (`step_out_of_order`, reported at the ordinal of each step that
    is placed after a step it should precede);
  * fields come from the step's allow-list in STEP_FIELDS (`unknown_field`), each once
    (`duplicate_field`), and include the step's REQUIRED_FIELDS (`required_field_missing`).
toggles: `{name: boolean}` over TOGGLE_DEFAULTS; missing toggles get their default. A toggle
that needs a field (require_phone → guest_details.phone, show_promo_code → search.promo_code)
fails with `toggle_requires_field` when that field is not collected.
consent: `{"required": true, "text": {locale: text ≤ 2000}, "policy_url": "https://…" | "/privacy"}`;
  the policy URL is checked like a navigation target (http(s) or a site path, never javascript:).

Paths are relative to each argument and prefixed with /steps, /toggles and /consent.
The normalised steps are returned sorted by ordinal.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .issues import INVALID, IssueCollector, child_path, json_type
from .issues import ISSUE_CODES as SHAPE_CODES
from .locales import check_localized_text
from .navigation import ORDINAL_ISSUE_CODES, URL_ISSUE_CODES, check_sibling_ordinals, check_url

ISSUE_CODES: tuple[str, ...] = tuple(
    sorted(
        {
            *SHAPE_CODES,
            *URL_ISSUE_CODES,
            *ORDINAL_ISSUE_CODES,
            "duplicate_field",
            "duplicate_step",
            "invalid_locale",
            "locale_not_enabled",
            "required_field_missing",
            "required_step_missing",
            "step_must_be_required",
            "step_out_of_order",
            "toggle_requires_field",
            "unknown_field",
            "unknown_step",
        }
    )
)

# Canonical steps in their canonical order.
STEP_IDS = (
    "search",
    "room_select",
    "rate_select",
    "extras",
    "guest_details",
    "payment",
    "review",
    "confirmation",
)
REQUIRED_STEPS = ("search", "room_select", "guest_details", "payment", "confirmation")
STEP_FIELDS: dict[str, tuple[str, ...]] = {
    "search": ("check_in", "check_out", "adults", "children", "rooms", "promo_code", "property"),
    "room_select": ("room_type", "room_count", "bed_preference", "accessibility"),
    "rate_select": ("rate_plan", "board", "cancellation_policy"),
    "extras": (
        "breakfast",
        "parking",
        "airport_transfer",
        "late_checkout",
        "early_checkin",
        "spa",
        "pet_fee",
    ),
    "guest_details": (
        "first_name",
        "last_name",
        "email",
        "phone",
        "country",
        "address",
        "company",
        "vat_number",
        "arrival_time",
        "special_requests",
        "loyalty_number",
    ),
    "payment": ("card", "billing_address", "invoice", "pay_at_hotel", "deposit"),
    "review": ("summary", "terms_acceptance", "marketing_opt_in"),
    "confirmation": ("summary", "add_to_calendar", "manage_booking_link"),
}
# Each field in English words: the admin's labels and the default locale pack's `booking.field.<name>`.
FIELD_NAMES: dict[str, str] = {
    "check_in": "Check-in", "check_out": "Check-out", "adults": "Adults", "children": "Children",
    "rooms": "Rooms", "promo_code": "Promo code", "property": "Hotel", "room_type": "Room type",
    "room_count": "Number of rooms", "bed_preference": "Bed preference", "accessibility": "Accessibility",
    "rate_plan": "Rate", "board": "Meals", "cancellation_policy": "Cancellation policy",
    "breakfast": "Breakfast", "parking": "Parking", "airport_transfer": "Airport transfer",
    "late_checkout": "Late check-out", "early_checkin": "Early check-in", "spa": "Spa", "pet_fee": "Pet fee",
    "first_name": "First name", "last_name": "Last name", "email": "E-mail", "phone": "Phone",
    "country": "Country", "address": "Address", "company": "Company", "vat_number": "VAT number",
    "arrival_time": "Arrival time", "special_requests": "Special requests", "loyalty_number": "Loyalty number",
    "card": "Card", "billing_address": "Billing address", "invoice": "Invoice", "pay_at_hotel": "Pay at the hotel",
    "deposit": "Deposit", "summary": "Summary", "terms_acceptance": "Terms accepted",
    "marketing_opt_in": "News and offers", "add_to_calendar": "Add to calendar",
    "manage_booking_link": "Manage booking link",
}
REQUIRED_FIELDS: dict[str, tuple[str, ...]] = {
    "search": ("check_in", "check_out", "adults"),
    "room_select": ("room_type",),
    "guest_details": ("first_name", "last_name", "email"),
}
TOGGLE_DEFAULTS: dict[str, bool] = {
    "allow_guest_checkout": True,
    "allow_multi_room": True,
    "require_phone": False,
    "require_terms_acceptance": True,
    "show_cancellation_policy": True,
    "show_loyalty_signup": False,
    "show_price_breakdown": True,
    "show_promo_code": True,
    "show_taxes_inclusive": True,
}
# A toggle that only works when the flow collects a field: toggle → (step, field).
TOGGLE_FIELDS: dict[str, tuple[str, str]] = {
    "require_phone": ("guest_details", "phone"),
    "show_promo_code": ("search", "promo_code"),
}
CONSENT_TEXT_MAX_LENGTH = 2000
MAX_FIELDS_PER_STEP = 30


def validate_booking_flow(
    steps: Any, toggles: Any, consent: Any, *, enabled_locales: Iterable[str] | None = None
) -> tuple[list, dict, dict]:
    """Check a booking flow config; return (steps sorted by ordinal, toggles with defaults, consent).

    `enabled_locales`, when given, also requires the consent text's locales to be enabled.
    """
    issues = IssueCollector(ISSUE_CODES)
    checked_steps = _steps(steps, "/steps", issues)
    checked_toggles = _toggles(toggles, "/toggles", issues)
    if checked_steps is not INVALID and checked_toggles is not INVALID:
        _check_toggle_fields(checked_steps, checked_toggles, issues)
    checked_consent = _consent(consent, "/consent", issues, enabled_locales)
    issues.raise_if_any()
    return checked_steps, checked_toggles, checked_consent


def _steps(value: Any, path: str, issues: IssueCollector) -> list | Any:
    items = issues.array(value, path, what="an array of steps", max_items=len(STEP_IDS))
    if items is INVALID:
        return INVALID
    before = len(issues)
    seen: set[str] = set()
    result: list[dict] = []
    ordinals: list[tuple[str, int]] = []
    for index, item in enumerate(items):
        step_path = child_path(path, index)
        step = _step(item, step_path, issues, seen)
        if step is INVALID:
            continue
        result.append(step)
        ordinals.append((child_path(step_path, "ordinal"), step["ordinal"]))
    for step_id in REQUIRED_STEPS:
        if step_id not in seen:
            issues.add(path, "required_step_missing", f"The '{step_id}' step is required.")
    if len(result) == len(items) and check_sibling_ordinals(ordinals, len(items), issues):
        _check_canonical_order(result, path, issues)
    if len(issues) > before:
        return INVALID
    return sorted(result, key=lambda step: step["ordinal"])


def _step(value: Any, path: str, issues: IssueCollector, seen: set[str]) -> dict | Any:
    obj = issues.object(value, path, what="a step object {id, ordinal, required, fields}")
    if obj is INVALID:
        return INVALID
    before = len(issues)
    issues.keys(obj, path, required=("id", "ordinal", "required", "fields"))
    step_id = _step_id(obj["id"], child_path(path, "id"), issues, seen) if "id" in obj else INVALID
    ordinal = (
        issues.integer(obj["ordinal"], child_path(path, "ordinal"), minimum=0)
        if "ordinal" in obj
        else INVALID
    )
    required = issues.boolean(obj["required"], child_path(path, "required")) if "required" in obj else INVALID
    if step_id in REQUIRED_STEPS and required is False:
        issues.add(
            child_path(path, "required"), "step_must_be_required", f"The '{step_id}' step cannot be optional."
        )
    fields = INVALID
    if "fields" in obj and step_id is not INVALID:
        fields = _fields(obj["fields"], child_path(path, "fields"), step_id, issues)
    if len(issues) > before:
        return INVALID
    return {"id": step_id, "ordinal": ordinal, "required": required, "fields": fields}


def _step_id(value: Any, path: str, issues: IssueCollector, seen: set[str]) -> str | Any:
    if not isinstance(value, str):
        issues.add(path, "invalid_type", f"Expected a step id string, got {json_type(value)}.")
        return INVALID
    if value not in STEP_IDS:
        issues.add(
            path, "unknown_step", f"'{value}' is not a booking step; use one of: {', '.join(STEP_IDS)}."
        )
        return INVALID
    if value in seen:
        issues.add(path, "duplicate_step", f"The '{value}' step appears more than once.")
        return INVALID
    seen.add(value)
    return value


def _fields(value: Any, path: str, step_id: str, issues: IssueCollector) -> list | Any:
    items = issues.array(value, path, what="an array of field names", max_items=MAX_FIELDS_PER_STEP)
    if items is INVALID:
        return INVALID
    before = len(issues)
    allowed = STEP_FIELDS[step_id]
    fields: list[str] = []
    for index, name in enumerate(items):
        field_path = child_path(path, index)
        if not isinstance(name, str):
            issues.add(field_path, "invalid_type", f"Expected a field name, got {json_type(name)}.")
        elif name not in allowed:
            issues.add(
                field_path,
                "unknown_field",
                f"'{name}' is not a field of '{step_id}'; allowed: {', '.join(allowed)}.",
            )
        elif name in fields:
            issues.add(field_path, "duplicate_field", f"'{name}' is listed more than once.")
        else:
            fields.append(name)
    for name in REQUIRED_FIELDS.get(step_id, ()):
        if name not in fields:
            issues.add(path, "required_field_missing", f"The '{step_id}' step must collect '{name}'.")
    return INVALID if len(issues) > before else fields


def _check_canonical_order(steps: list[dict], path: str, issues: IssueCollector) -> None:
    # `steps` is in array order; index i of `steps` is index i of the input array.
    by_ordinal = sorted(range(len(steps)), key=lambda i: steps[i]["ordinal"])
    latest = -1
    latest_id = ""
    for index in by_ordinal:
        rank = STEP_IDS.index(steps[index]["id"])
        if rank < latest:
            issues.add(
                child_path(path, index, "ordinal"),
                "step_out_of_order",
                f"'{steps[index]['id']}' must come before '{latest_id}'; the order is {', '.join(STEP_IDS)}.",
            )
            continue
        latest, latest_id = rank, steps[index]["id"]


def _toggles(value: Any, path: str, issues: IssueCollector) -> dict | Any:
    obj = issues.object(value, path, what="an object of toggle → boolean")
    if obj is INVALID:
        return INVALID
    before = len(issues)
    issues.keys(obj, path, optional=TOGGLE_DEFAULTS)
    result = dict(TOGGLE_DEFAULTS)
    for name in TOGGLE_DEFAULTS:
        if name in obj:
            result[name] = issues.boolean(obj[name], child_path(path, name))
    return INVALID if len(issues) > before else result


def _check_toggle_fields(steps: list[dict], toggles: dict, issues: IssueCollector) -> None:
    collected = {(step["id"], field) for step in steps for field in step["fields"]}
    for toggle, (step_id, field) in TOGGLE_FIELDS.items():
        if toggles[toggle] and (step_id, field) not in collected:
            issues.add(
                child_path("/toggles", toggle),
                "toggle_requires_field",
                f"'{toggle}' needs the '{step_id}' step to collect '{field}'.",
            )


def _consent(
    value: Any, path: str, issues: IssueCollector, enabled_locales: Iterable[str] | None
) -> dict | Any:
    obj = issues.object(value, path, what="a consent object {required, text, policy_url}")
    if obj is INVALID:
        return INVALID
    before = len(issues)
    issues.keys(obj, path, required=("required", "text", "policy_url"))
    result: dict[str, Any] = {}
    if "required" in obj:
        result["required"] = issues.boolean(obj["required"], child_path(path, "required"))
    if "text" in obj:
        result["text"] = check_localized_text(
            obj["text"],
            child_path(path, "text"),
            issues,
            enabled_locales=None if enabled_locales is None else tuple(enabled_locales),
            max_length=CONSENT_TEXT_MAX_LENGTH,
        )
    if "policy_url" in obj:
        result["policy_url"] = check_url(
            obj["policy_url"],
            child_path(path, "policy_url"),
            issues,
            schemes=("http", "https"),
            allow_relative=True,
        )
    return INVALID if len(issues) > before else result


__all__ = [
    "ISSUE_CODES",
    "REQUIRED_STEPS",
    "STEP_FIELDS",
    "STEP_IDS",
    "TOGGLE_DEFAULTS",
    "validate_booking_flow",
]
