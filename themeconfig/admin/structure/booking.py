"""A version's booking flow (tab "Booking flow"): its steps in the booking contract's fixed order (in the
flow or not, required or skippable, the fields each collects), its toggles and its consent texts per
locale, saved together with `booking_flow_put`.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib import messages
from django.http import HttpResponseRedirect

from themeconfig import services
from themeconfig.admin import workspace
from themeconfig.admin.base import on_page, principal_of, refusal_shown
from themeconfig.admin.common import actor_label, when_label
from themeconfig.admin.locales import locale_label, theme_locales
from themeconfig.admin.structure.common import (
    Input,
    Refusal,
    can_edit,
    filled,
    localised_inputs,
    posted_op,
    posted_texts,
    read_only_reason,
    refuse_post,
    refused,
    render_page,
    stored,
    structure_url,
    to_int,
)
from themeconfig.selectors.themes import booking_flow_get
from themeconfig.validators.booking_flow import (
    FIELD_NAMES,
    REQUIRED_FIELDS,
    REQUIRED_STEPS,
    STEP_FIELDS,
    STEP_IDS,
    TOGGLE_DEFAULTS,
)
from themeconfig.validators.issues import child_path

BOOKING_SLUG = "booking"
STEP_LABELS = {"search": "Search", "room_select": "Room selection", "rate_select": "Rate selection",
               "extras": "Extras", "guest_details": "Guest details", "payment": "Payment", "review": "Review",
               "confirmation": "Confirmation"}
TOGGLE_LABELS = {
    "allow_guest_checkout": "Guests can book without an account",
    "allow_multi_room": "Several rooms in one booking",
    "require_phone": "A phone number is required (needs Guest details to collect phone)",
    "require_terms_acceptance": "Guests accept the terms before paying",
    "show_cancellation_policy": "Show the cancellation policy",
    "show_loyalty_signup": "Offer the loyalty programme sign-up",
    "show_price_breakdown": "Show the price breakdown",
    "show_promo_code": "Show the promo code field (needs Search to collect promo_code)",
    "show_taxes_inclusive": "Show prices with taxes included",
}


@dataclass
class StepRow:
    id: str
    enabled: bool
    required: bool
    fields: list[str]


def step_rows(steps) -> list[StepRow]:
    """Every step of the contract, in its fixed order: the saved ones as saved, the others not in the flow."""
    if not steps:  # no booking flow yet: the contract's required steps and fields
        return [StepRow(step_id, step_id in REQUIRED_STEPS, step_id in REQUIRED_STEPS,
                        [*REQUIRED_FIELDS.get(step_id, ()), *(["promo_code"] if step_id == "search" else [])])
                for step_id in STEP_IDS]
    saved = {step["id"]: step for step in steps if isinstance(step, dict) and step.get("id") in STEP_IDS}
    return [StepRow(step_id, step_id in saved,
                    bool(saved.get(step_id, {}).get("required", step_id in REQUIRED_STEPS)),
                    list(saved.get(step_id, {}).get("fields") or REQUIRED_FIELDS.get(step_id, ())))
            for step_id in STEP_IDS]


def step_rows_posted(post) -> list[StepRow]:
    """The posted steps, each read by its id, in the contract's fixed order (a step not posted is not in the flow)."""
    rows: dict[str, StepRow] = {}
    for index in range(len(STEP_IDS)):
        prefix = f"step-{index}-"
        step_id = post.get(prefix + "id")
        if step_id not in STEP_IDS or step_id in rows:
            continue
        chosen = set(post.getlist(prefix + "fields"))
        rows[step_id] = StepRow(step_id, prefix + "enabled" in post, prefix + "required" in post,
                                [name for name in STEP_FIELDS[step_id] if name in chosen])
    return [rows.get(step_id) or StepRow(step_id, False, False, list(REQUIRED_FIELDS.get(step_id, ())))
            for step_id in STEP_IDS]


@dataclass
class BookingState:
    steps: list[StepRow]
    toggles: dict[str, bool]
    consent_required: bool
    consent_text: dict[str, str]
    policy_url: str
    expected_version: int
    refusal: Refusal = field(default_factory=Refusal)
    status: str = ""

    @classmethod
    def of(cls, config) -> BookingState:
        consent = config.consent if config and isinstance(config.consent, dict) else {}
        return cls(steps=step_rows(config.steps if config else None),
                   toggles={**TOGGLE_DEFAULTS, **(config.toggles if config and isinstance(config.toggles, dict) else {})},
                   consent_required=consent.get("required", True) is True,
                   consent_text={k: str(v) for k, v in (consent.get("text") or {}).items()},
                   policy_url=str(consent.get("policy_url") or ""), expected_version=config.version if config else 0)

    @classmethod
    def posted(cls, post, locales: list[str]) -> BookingState:
        return cls(steps=step_rows_posted(post), toggles={name: f"toggle-{name}" in post for name in TOGGLE_DEFAULTS},
                   consent_required="consent-required" in post,
                   consent_text=posted_texts(post, "consent-text-", locales),
                   policy_url=post.get("consent-policy_url", ""),
                   expected_version=to_int(post.get("expected_version")) or 0)

    def document(self) -> tuple[dict, dict[str, str]]:
        """booking_flow_put's arguments (the steps in the flow, numbered in row order) and each path's input."""
        anchors = {"/steps": "steps", "/toggles": "toggles", "/consent": "consent",
                   "/consent/required": "consent-required", "/consent/text": "consent-text",
                   "/consent/policy_url": "consent-policy_url"}
        steps = []
        for index, row in enumerate(self.steps):
            if not row.enabled:
                continue
            path = child_path("/steps", len(steps))
            anchors.update({path: f"step-{index}", child_path(path, "required"): f"step-{index}-required",
                            child_path(path, "fields"): f"step-{index}-fields"})
            steps.append({"id": row.id, "ordinal": len(steps), "required": row.required, "fields": row.fields})
        anchors.update({child_path("/toggles", name): f"toggle-{name}" for name in TOGGLE_DEFAULTS})
        anchors.update({child_path("/consent/text", code): f"consent-text-{code}" for code in self.consent_text})
        consent = {"required": self.consent_required, "text": filled(self.consent_text),
                   "policy_url": self.policy_url}
        return {"steps": steps, "toggles": dict(self.toggles), "consent": consent}, anchors


def step_view(rows: list[StepRow], index: int, refusal: Refusal) -> dict:
    row, name = rows[index], f"step-{index}"
    always = row.id in REQUIRED_STEPS
    return {
        "index": index, "name": name, "id": row.id, "label": STEP_LABELS[row.id], "always": always,
        "enabled": row.enabled, "required": row.required, "errors": refusal.of(name),
        "enabled_input": Input(f"{name}-enabled", f"{STEP_LABELS[row.id]} is part of the flow", type="checkbox",
                               checked=row.enabled or always, disabled=always, errors=refusal.of(f"{name}-enabled"),
                               help="Required by the booking contract." if always else ""),
        "required_input": Input(f"{name}-required", "Guests must complete it (otherwise they may skip it)",
                                type="checkbox", checked=row.required or always, disabled=always,
                                errors=refusal.of(f"{name}-required")),
        "fields_errors": refusal.of(f"{name}-fields"),
        "fields": [Input(f"{name}-fields", FIELD_NAMES[field_name] + (" (required)" if field_name in REQUIRED_FIELDS.get(row.id, ())
                                                                       else ""),
                         value=field_name, type="checkbox", id=f"id_{name}-fields-{field_name}",
                         checked=field_name in row.fields or field_name in REQUIRED_FIELDS.get(row.id, ()),
                         disabled=field_name in REQUIRED_FIELDS.get(row.id, ()))
                   for field_name in STEP_FIELDS[row.id]],
        "fields_text": ", ".join(FIELD_NAMES.get(f, f) for f in row.fields) or "—",
    }


@workspace.workspace_page("version", BOOKING_SLUG, "Booking flow", order=30)
def booking_page(model_admin, request, version):
    if request.method != "POST":
        return _booking(model_admin, request, version)
    page = structure_url(model_admin, version, BOOKING_SLUG)
    if (refusal := refuse_post(request, version, page, "booking flow")) is not None:
        return refusal
    state = BookingState.posted(request.POST, theme_locales(version.theme))
    if posted_op(request.POST)[0] != "save":  # the steps have no structural edits: their order is fixed
        state.status = "The steps run in the fixed order shown and cannot be moved; nothing is saved yet."
        return _booking(model_admin, request, version, state)
    document, anchors = state.document()
    with refusal_shown(request, on_page) as refusal:
        services.booking_flow_put(principal=principal_of(request), version_id=version.pk,
                                  expected_version=state.expected_version, **document)
    if refusal:
        state.refusal, state.expected_version = refused(
            refusal.error, anchors, what="booking flow", expected=state.expected_version,
            current=lambda: stored(booking_flow_get, version_id=version.pk))
        return _booking(model_admin, request, version, state)
    messages.success(request, "The booking flow is saved.")
    return HttpResponseRedirect(page)


def _booking(model_admin, request, version, state: BookingState | None = None):
    locales = theme_locales(version.theme)
    config = stored(booking_flow_get, version_id=version.pk)
    editable = can_edit(request, version)
    saved = BookingState.of(config)
    state = state if editable and state is not None else saved
    refusal = state.refusal
    context = {
        "editable": editable, "read_only_reason": read_only_reason(request, version, "booking flow"),
        "config": config, "state": state, "refusal": refusal,
        "updated_by": actor_label(config.updated_by) if config else "",
        "updated_at": when_label(config.updated_at) if config else "",
        "steps": [step_view(state.steps, i, refusal) for i in range(len(state.steps))],
        "steps_errors": refusal.of("steps"),
        "toggles": [Input(f"toggle-{name}", TOGGLE_LABELS.get(name, name), type="checkbox", checked=on,
                          errors=refusal.of(f"toggle-{name}")) for name, on in state.toggles.items()],
        "toggles_errors": refusal.of("toggles"),
        "consent_required": Input("consent-required", "Guests must give their consent to book", type="checkbox",
                                  checked=state.consent_required, errors=refusal.of("consent-required")),
        "consent_texts": localised_inputs("consent-text-", "Consent text", state.consent_text, locales, refusal,
                                          type="textarea", help="At most 2000 characters."),
        "consent_text_errors": refusal.of("consent-text"),
        "policy_url": Input("consent-policy_url", "Privacy policy link", state.policy_url,
                            help="A site path (/privacy) or an https:// address.",
                            errors=refusal.of("consent-policy_url")),
        "consent_errors": refusal.of("consent"),
        "consent_read": [{"locale": locale_label(code), "lang": code, "text": text}
                         for code, text in filled(saved.consent_text).items()],
    }
    return render_page(model_admin, request, version, BOOKING_SLUG, "booking.html", "Booking flow", context)
