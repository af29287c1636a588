"""The validators package: importable without Django, and its codes are stable snake_case names."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

import themeconfig.validators as validators
from themeconfig.validators import (
    booking_flow,
    brand_kit,
    content,
    dtcg,
    email,
    issues,
    layout,
    locales,
    navigation,
    tokens,
)

REPO_ROOT = Path(__file__).resolve().parents[4]


def test_package__imported_in_a_fresh_interpreter__does_not_import_django():
    script = "import sys, themeconfig.validators; assert 'django' not in sys.modules, sorted(sys.modules)"

    subprocess.run(
        [sys.executable, "-c", script], cwd=REPO_ROOT, check=True, env={"PYTHONPATH": str(REPO_ROOT)}
    )


@pytest.mark.parametrize(
    "module", [booking_flow, content, dtcg, email, issues, layout, locales, navigation, tokens]
)
def test_package__every_module__declares_sorted_snake_case_issue_codes(module):
    codes = module.ISSUE_CODES

    assert codes == tuple(sorted(set(codes)))
    assert all(re.fullmatch(r"[a-z]+(_[a-z]+)*", code) for code in codes)


def test_package__public_names__exported():
    assert set(validators.__all__) >= {
        "CONTENT_BLOCK_KINDS",
        "ContractViolation",
        "Issue",
        "LocalePackResult",
        "PresetInfo",
        "to_css_custom_properties",
        "to_dtcg",
        "validate_booking_flow",
        "validate_content_body",
        "validate_content_meta",
        "validate_design_tokens",
        "validate_email_theme",
        "validate_layout_selections",
        "validate_locale_enabled",
        "validate_locale_entries",
        "validate_navigation_items",
        "validate_theme_locales",
    }
    assert all(hasattr(validators, name) for name in validators.__all__)


def test_package__all_issue_codes__union_of_every_module():
    modules = [booking_flow, brand_kit, content, dtcg, email, issues, layout, locales, navigation, tokens]

    assert set(validators.ALL_ISSUE_CODES) == {code for module in modules for code in module.ISSUE_CODES}
