"""The application-level validators for every JSONB contract of the seed's §4 (pure Python, no Django).

API views, the Django admin and service functions all call these; none re-checks a contract
itself. Each `validate_*` returns the normalised value or raises `ContractViolation` carrying
every issue found, each with a JSON-pointer `path`, a stable `code` and a `message`.
"""

from __future__ import annotations

from . import booking_flow, brand_kit, content, email, issues, layout, locales, navigation, tokens
from .booking_flow import validate_booking_flow
from .brand_kit import tokens_from_brand_kit, validate_brand_kit
from .content import CONTENT_BLOCK_KINDS, validate_content_body, validate_content_meta
from .dtcg import to_css_custom_properties, to_dtcg
from .email import validate_email_theme
from .issues import ContractViolation, Issue
from .layout import PresetInfo, validate_layout_selections
from .locales import (
    LocalePackResult,
    validate_locale_enabled,
    validate_locale_entries,
    validate_theme_locales,
)
from .navigation import validate_navigation_items
from .tokens import validate_design_tokens

# Every code any validator can emit (each module lists its own in ISSUE_CODES).
ALL_ISSUE_CODES: tuple[str, ...] = tuple(
    sorted(
        {
            *booking_flow.ISSUE_CODES,
            *brand_kit.ISSUE_CODES,
            *content.ISSUE_CODES,
            *email.ISSUE_CODES,
            *issues.ISSUE_CODES,
            *layout.ISSUE_CODES,
            *locales.ISSUE_CODES,
            *navigation.ISSUE_CODES,
            *tokens.ISSUE_CODES,
        }
    )
)

__all__ = [
    "ALL_ISSUE_CODES",
    "CONTENT_BLOCK_KINDS",
    "ContractViolation",
    "Issue",
    "LocalePackResult",
    "PresetInfo",
    "to_css_custom_properties",
    "to_dtcg",
    "tokens_from_brand_kit",
    "validate_booking_flow",
    "validate_brand_kit",
    "validate_content_body",
    "validate_content_meta",
    "validate_design_tokens",
    "validate_email_theme",
    "validate_layout_selections",
    "validate_locale_enabled",
    "validate_locale_entries",
    "validate_navigation_items",
    "validate_theme_locales",
]
