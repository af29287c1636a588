"""The axe-core check itself: it names each serious or critical rule broken, with its targets."""
from __future__ import annotations

import pytest

from tests.e2e.browser.axe import AXE_JS, assert_no_serious_axe_violations

pytestmark = pytest.mark.browser

ACCESSIBLE = """<!doctype html><html lang="en"><head><title>Fine</title></head>
<body><main><h1>Fine</h1><p>Plain text.</p></main></body></html>"""
IMAGE_WITHOUT_ALT = """<!doctype html><html lang="en"><head><title>Broken</title></head>
<body><main><h1>Broken</h1><img id="logo" src="data:image/gif;base64,R0lGODlhAQABAAAAACw="></main></body></html>"""


def test_axe__vendored_copy__is_the_version_its_readme_names(page):
    banner = AXE_JS.read_text()[:40]  # "/*! axe v4.14.1\n * Copyright …"
    assert banner.startswith("/*! axe v")
    page.set_content(ACCESSIBLE)
    page.add_script_tag(path=str(AXE_JS))
    version = page.evaluate("() => axe.version")
    assert f"axe-core {version}" in (AXE_JS.parent / "README.md").read_text()


def test_axe__accessible_page__passes(page):
    page.set_content(ACCESSIBLE)
    assert_no_serious_axe_violations(page)


def test_axe__image_without_alt__fails_naming_the_rule_its_impact_and_the_target(page):
    page.set_content(IMAGE_WITHOUT_ALT)
    with pytest.raises(pytest.fail.Exception) as failure:
        assert_no_serious_axe_violations(page)
    assert "image-alt (critical)" in str(failure.value)
    assert "#logo" in str(failure.value)
