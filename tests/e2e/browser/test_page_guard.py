"""The page guard (page_guard.py) fails a test for what the browser reports, and says what it was."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from tests.e2e.browser.app_server import ROOT
from tests.live_app import free_port

pytestmark = pytest.mark.browser

INNER_CONFTEST = """
from tests.e2e.browser.page_guard import (  # noqa: F401
    browser, browser_base_url, new_page, page, page_problems, pytest_runtest_call,
)
"""
INNER_TESTS = """
def test_page_throws(page):
    page.set_content("<script>throw new TypeError('boom from the page')</script>")

def test_console_error(page):
    page.set_content("<script>console.error('logged by the page')</script>")

def test_local_request_fails(page):
    page.set_content('<img alt="" src="http://127.0.0.1:{closed_port}/missing.png">')
    page.wait_for_load_state("load")

def test_request_to_another_host(page):
    page.set_content('<img alt="" src="http://cdn.example.invalid/lib.js">')
    page.wait_for_load_state("load")

def test_allowed_error(page, page_problems):
    page_problems.allow("expected by this test")
    page.set_content("<script>console.error('expected by this test')</script>")

def test_clean_page(page):
    page.set_content("<p>fine</p><script>console.log('only a log')</script>")
"""


def test_page_guard__console_error_and_uncaught_exception__recorded_with_their_text(page, page_problems):
    page.set_content("<script>console.error('first'); throw new Error('second')</script>")
    page_problems.settle()

    assert len(page_problems.problems) == 2, page_problems.problems
    assert page_problems.problems[0].startswith("console error on about:blank: first")
    assert page_problems.problems[1].startswith("page error on about:blank: Error: second")
    with pytest.raises(pytest.fail.Exception, match=r"2 browser problem\(s\) during the test"):
        page_problems.fail_if_any("during the test")
    # Reported once: this test itself then passes.


def test_page_guard__tests_whose_pages_misbehave__fail_and_the_clean_ones_pass(tmp_path):
    """A pytest of its own with the guard's plugin: the tests read FAILED (not ERROR), naming the problem."""
    (tmp_path / "conftest.py").write_text(INNER_CONFTEST)
    (tmp_path / "test_inner.py").write_text(textwrap.dedent(INNER_TESTS).replace("{closed_port}", str(free_port())))
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    # No installed plugin (pytest-django, schemathesis, …): only the guard, through the conftest.
    env.update(PYTHONPATH=str(ROOT), ARTIFACTS_DIR=str(tmp_path / "artifacts"), PYTEST_DISABLE_PLUGIN_AUTOLOAD="1")
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-rfE", "--rootdir", str(tmp_path),
         "-c", str(tmp_path / "pytest.ini"), str(tmp_path)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )
    output = done.stdout + done.stderr

    assert done.returncode == 1, output
    assert "4 failed, 2 passed" in output, output
    assert " error" not in output.splitlines()[-1], output
    for name, problem in [
        ("test_page_throws", "page error on about:blank: TypeError: boom from the page"),
        ("test_console_error", "console error on about:blank: logged by the page"),
        ("test_local_request_fails", "request failed: GET http://127.0.0.1:"),
        ("test_request_to_another_host", "request to another host: GET http://cdn.example.invalid/lib.js"),
    ]:
        assert f"FAILED test_inner.py::{name}" in output, output
        assert problem in output, output
    screenshots = sorted(p.name for p in (tmp_path / "artifacts" / "screenshots").iterdir())
    assert "failed-test_page_throws-0-0.png" in screenshots, screenshots
