"""Pages that fail their test on any browser console error, page error, failed local request, 5xx or
request to another host.

A pytest plugin without Django (the browser tests' conftest imports its fixtures and hook), so a
test can run it in a pytest of its own and see a test fail for real (test_page_guard.py).

- `browser` (package): Debian's chromium (chromium.py).
- `new_page(**context_options)`: a page in a new browser context (its own cookies: a fresh
  visitor, another viewport), watched; `page` is the first one. Both go to `browser_base_url`'s
  server with relative URLs (`page.goto("/admin/")`) when that fixture gives one.
- `page_problems`: what was recorded; `page_problems.allow(regex)` accepts a problem the test
  provokes on purpose (a 404 page it opens).

A test whose body passed fails right after it (its call phase, so it reads FAILED, not ERROR)
when anything was recorded, listing each problem; whatever arrives later (while the contexts
close) fails it at teardown. A failed test gets a screenshot of each of its open pages.
"""
from __future__ import annotations

import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest

from tests.e2e.browser import chromium
from tests.e2e.browser.screenshots import screenshot

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
PROBLEMS_KEY = pytest.StashKey["PageProblems"]()
DEFAULT_TIMEOUT_MS = 10_000


def is_local(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return host in LOCAL_HOSTS or host.endswith(".localhost")


def _page_url(page) -> str:
    try:
        return page.url
    except Exception:  # a page already gone
        return "?"


@dataclass
class PageProblems:
    """Everything that went wrong in a test's browser contexts, in the order it happened."""

    problems: list[str] = field(default_factory=list)
    allowed: list[re.Pattern] = field(default_factory=list)
    reported: int = 0  # how many were already reported (by the call-phase check)
    test_failed: bool = False
    contexts: list = field(default_factory=list)

    def allow(self, pattern: str) -> None:
        """Accept problems matching this regex (searched in the problem's line), e.g. a 404 the test opens."""
        self.allowed.append(re.compile(pattern))

    def add(self, line: str) -> None:
        if not any(p.search(line) for p in self.allowed):
            self.problems.append(line)

    def clear(self) -> None:
        self.problems.clear()
        self.reported = 0

    def watch(self, context) -> None:
        """Listen on a whole context: popups and pages it opens later are watched too."""
        self.contexts.append(context)
        context.on("console", self._on_console)
        context.on("weberror", self._on_web_error)
        context.on("requestfailed", self._on_request_failed)
        context.on("response", self._on_response)
        context.on("request", self._on_request)

    def _on_console(self, message) -> None:
        if message.type != "error":
            return
        where = message.location or {}
        source = where.get("url") or ""
        if source and where.get("lineNumber") is not None:
            source += f":{where['lineNumber']}"
        self.add(f"console error on {_page_url(message.page)}: {message.text}" + (f" [{source}]" if source else ""))

    def _on_web_error(self, web_error) -> None:
        error = web_error.error
        stack = (error.stack or "").splitlines()[1:4]
        detail = f"{error.name}: {error.message}" if error.name else error.message
        self.add(f"page error on {_page_url(web_error.page)}: {detail}" + "".join(f"\n      {s.strip()}" for s in stack))

    def _on_request_failed(self, request) -> None:
        failure = request.failure or ""
        # A navigation cancels what the previous page still loaded: that is no fault of the page.
        if is_local(request.url) and "ERR_ABORTED" not in failure:
            self.add(f"request failed: {request.method} {request.url} {failure}")

    def _on_response(self, response) -> None:
        if response.status >= 500 and is_local(response.url):
            self.add(f"server error: {response.status} {response.request.method} {response.url}")

    def _on_request(self, request) -> None:
        # Everything the pages use is served locally (no CDN): a request elsewhere is a bug, and
        # on a closed network a hang.
        if urlsplit(request.url).scheme in ("http", "https", "ws", "wss") and not is_local(request.url):
            self.add(f"request to another host: {request.method} {request.url}")

    def settle(self) -> None:
        """A round trip to each open page, so the messages already sent are dispatched to us."""
        for context in self.contexts:
            for page in list(context.pages):
                try:
                    page.evaluate("() => new Promise(resolve => setTimeout(resolve, 0))")
                except Exception:  # closed, or navigating: nothing more to hear from it
                    pass

    def report(self, when: str) -> str:
        new = self.problems[self.reported:]
        return f"{len(new)} browser problem(s) {when}:\n" + "\n".join(f"  - {line}" for line in new)

    def fail_if_any(self, when: str) -> None:
        if len(self.problems) > self.reported:
            text = self.report(when)
            self.reported = len(self.problems)
            pytest.fail(text, pytrace=False)


@contextmanager
def running_browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = chromium.launch(playwright)
        try:
            yield instance
        finally:
            instance.close()


@pytest.fixture(scope="package")
def browser():
    """One Chromium for the tests of the package that uses it, closed after the last of them."""
    with running_browser() as instance:
        yield instance


@pytest.fixture
def browser_base_url():
    """The server relative URLs go to; the browser tests' conftest gives the app server's."""
    return None


@pytest.fixture
def page_problems(request):
    problems = PageProblems()
    request.node.stash[PROBLEMS_KEY] = problems
    return problems


@pytest.fixture
def new_page(browser, browser_base_url, page_problems, request):
    """Makes watched pages, each in a new context: `new_page(viewport={"width": 390, "height": 844})`."""
    opened = []

    def make(**context_options):
        options = {"viewport": {"width": 1280, "height": 900}, "locale": "en-US", **context_options}
        if browser_base_url and "base_url" not in options:
            options["base_url"] = browser_base_url
        context = browser.new_context(**options)
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        page_problems.watch(context)
        opened.append(context)
        return context.new_page()

    yield make
    if page_problems.test_failed:
        for number, context in enumerate(opened):
            for index, page in enumerate(context.pages):
                try:
                    path = screenshot(page, f"failed-{request.node.name}-{number}-{index}")
                    print(f"screenshot of the failed test's page {page.url}: {path}")
                except Exception:  # a crashed page: the report matters more than its picture
                    pass
    for context in opened:
        try:
            context.close()
        except Exception:
            pass
    if page_problems.test_failed:
        if len(page_problems.problems) > page_problems.reported:
            print(page_problems.report("in the failed test"))
    else:
        page_problems.fail_if_any("after the test, while its pages closed")


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    problems = item.stash.get(PROBLEMS_KEY, None)
    try:
        result = yield
    except BaseException:
        if problems is not None:
            problems.test_failed = True
        raise
    if problems is not None:
        problems.settle()
        try:
            problems.fail_if_any("during the test")
        except BaseException:
            problems.test_failed = True
            raise
    return result
