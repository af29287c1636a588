"""What a front-end developer does, against the app served by gunicorn from another process (as deployed):
follow resolve/'s bundle_url to the bundle's exact bytes, and run the README's curl session as written."""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import urllib.request
from contextlib import contextmanager

import pytest
from django.core.management import call_command

from publishing.management.commands.seed_demo import DEMO_HOST
from tests.celery_worker import celery_worker
from tests.conftest import ROOT
from tests.e2e.browser.app_server import server_environment
from tests.e2e.browser.app_server import start as start_app_server

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("committed_db")]


@contextmanager
def environment(**values):
    previous = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@pytest.fixture(scope="module")
def media_root(tmp_path_factory):
    return tmp_path_factory.mktemp("media")


@pytest.fixture(scope="module")
def app_served(django_db_setup, media_root, tmp_path_factory):
    """gunicorn on the test database, its bundle storage the filesystem under `media_root` (defaults otherwise)."""
    workdir = tmp_path_factory.mktemp("front-end-server")
    with environment(MEDIA_ROOT=str(media_root)):
        server = start_app_server(django_db_setup, workdir, workers=1)
    server.environment = server_environment(django_db_setup, workdir / "static")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def demo(settings, media_root):
    """seed_demo's tenant, published into the storage the server reads."""
    settings.STORAGES = {**settings.STORAGES, "bundles": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(media_root), "base_url": settings.BUNDLE_BASE_URL},
    }}
    call_command("seed_demo", force=True, stdout=open(os.devnull, "w"))  # noqa: SIM115


def fetch(url: str, method: str = "GET", **headers) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_live_bundle_url__resolved_on_the_served_app__exact_bytes_of_its_sha256(app_served, demo):
    status, _, body = fetch(f"{app_served.url}/api/v1/resolve/?host={DEMO_HOST}")
    assert status == 200, body
    bundle_url = json.loads(body)["bundle_url"]
    sha256 = bundle_url.rsplit("/", 1)[1].removesuffix(".json")

    status, headers, document = fetch(app_served.url + bundle_url)

    assert status == 200, (document, app_served.log_errors())
    assert hashlib.sha256(document).hexdigest() == sha256
    assert json.loads(document)["schema"] == "theme-config.bundle.v1"
    assert headers["Content-Type"] == "application/json"
    assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert headers["ETag"] == f'"{sha256}"'
    assert fetch(app_served.url + bundle_url, **{"If-None-Match": f'"{sha256}"'})[0] == 304
    status, headers, css = fetch(app_served.url + bundle_url.removesuffix(".json") + ".css")
    assert status == 200 and css.startswith(b":root{") and headers["Content-Type"] == "text/css; charset=utf-8"


def test_live_public_reads__from_a_guest_sites_origin__cors_for_any_origin_without_credentials(app_served, demo):
    """What a browser on the guest site's host sends: a preflight (when it revalidates itself with
    If-None-Match), then the GET with its Origin; resolve/ and the bundle both readable, ETag
    exposed, no credentials allowed; the authenticated API answers the same Origin without CORS."""
    origin = {"Origin": "https://www.harbourhouse.example"}
    resolve_url = f"{app_served.url}/api/v1/resolve/?host={DEMO_HOST}"
    status, headers, body = fetch(resolve_url, **origin)
    assert status == 200, body
    bundle_url = app_served.url + json.loads(body)["bundle_url"]
    for url in (resolve_url, bundle_url):
        status, headers, _ = fetch(url, "OPTIONS", **origin, **{"Access-Control-Request-Method": "GET",
                                                                 "Access-Control-Request-Headers": "if-none-match"})
        assert status == 204, url
        assert headers["Access-Control-Allow-Origin"] == "*" and headers["Access-Control-Allow-Methods"] == "GET, HEAD"
        assert "If-None-Match" in headers["Access-Control-Allow-Headers"]
        status, headers, _ = fetch(url, **origin)
        assert status == 200 and headers["Access-Control-Allow-Origin"] == "*", url
        assert "ETag" in headers["Access-Control-Expose-Headers"] and "Access-Control-Allow-Credentials" not in headers
    status, headers, _ = fetch(f"{app_served.url}/api/v1/themes/", **origin)
    assert status == 401 and not [name for name in headers if name.lower().startswith("access-control-")]


# --- the README's curl session ---------------------------------------------------------------------

README_ORIGIN = "http://127.0.0.1:8000"
FLOW_MARKER = "# readme-api-flow"
# Put first on PATH while the block runs: the real curl, with each request's status and URL logged.
CURL_RECORDER = """#!/usr/bin/env bash
body=$(mktemp)
status=$({curl} "$@" -o "$body" -w '%{{http_code}}')
code=$?
printf '%s %s\\n' "$status" "${{@: -1}}" >> "$CURL_LOG"
cat "$body"; rm -f "$body"
exit $code
"""


def readme_flow() -> str:
    """The README's fenced bash block that starts with the flow marker."""
    readme = (ROOT / "README.md").read_text()
    blocks = re.findall(r"^```bash\n(.*?)^```", readme, flags=re.M | re.S)
    flows = [block for block in blocks if block.startswith(FLOW_MARKER)]
    assert len(flows) == 1, "the README keeps exactly one block marked " + FLOW_MARKER
    return flows[0]


def expected_statuses(block: str) -> list[tuple[int, bool]]:
    """(status, repeated) per request line, from its `# NNN` comment; a polling `until` line may repeat."""
    logical = re.sub(r"\\\n", " ", block).splitlines()
    expected = []
    for line in logical:
        if "curl " not in line or line.lstrip().startswith("#"):
            continue
        status = re.search(r"#\s*(\d{3})\b[^\"']*$", line)
        assert status, f"a request without its status comment: {line}"
        expected.append((int(status.group(1)), line.lstrip().startswith(("until ", "while "))))
    return expected


def matches(expected: list[tuple[int, bool]], seen: list[int]) -> bool:
    """Whether the statuses seen are the documented ones in order, a repeated line answering one or more times."""
    if not expected:
        return not seen
    (status, repeated), rest = expected[0], expected[1:]
    if not seen or seen[0] != status:
        return False
    if matches(rest, seen[1:]):
        return True
    return repeated and matches(expected, seen[1:])


def test_readme_curl_session__fresh_seed_demo_then_again__every_request_answers_its_documented_status(
        app_served, demo, media_root, django_db_setup, tmp_path):
    block = readme_flow()
    expected = expected_statuses(block)
    assert len(expected) >= 10
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    recorder = bin_dir / "curl"
    recorder.write_text(CURL_RECORDER.format(curl=shutil.which("curl")))
    recorder.chmod(0o755)
    script = block.replace(README_ORIGIN, app_served.url)

    with celery_worker(django_db_setup, name="readme-worker", env={"MEDIA_ROOT": str(media_root)}):
        for attempt in ("fresh seed_demo", "run again"):
            log = tmp_path / f"curl-{attempt.replace(' ', '-')}.log"
            env = {**app_served.environment, "PATH": f"{bin_dir}:{os.environ['PATH']}", "CURL_LOG": str(log),
                   "MEDIA_ROOT": str(media_root)}
            run = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=ROOT, env=env, capture_output=True,
                                 text=True, timeout=90)

            calls = log.read_text().splitlines() if log.exists() else []
            seen = [int(call.split(" ", 1)[0]) for call in calls]
            report = (f"{attempt}: exit {run.returncode}\nstdout:\n{run.stdout[-3000:]}\nstderr:\n{run.stderr[-3000:]}\n"
                      f"requests:\n" + "\n".join(calls) + f"\nserver errors:\n{app_served.log_errors()}")
            assert run.returncode == 0, report
            assert matches(expected, seen), f"documented {expected}\n{report}"
            assert run.stdout.rstrip().endswith("intact"), report
