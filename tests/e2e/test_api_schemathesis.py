"""Schemathesis against the live /api/schema/: a real gunicorn on the test database, an admin API key.

Every operation gets coverage cases (boundary and invalid values) and bounded fuzzing (positive and
negative data); the stateful phase chains calls through links schemathesis infers from `Location`
headers and response fields (a created theme's `id` feeds `{theme_id}`). Every response must be no
5xx, carry a documented status and content type, and match its documented schema.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests
import schemathesis
from schemathesis.engine import StopReason, events

from tests.live_app import app_environment, gunicorn
from tests.unit.themeconfig.validators import samples

pytestmark = pytest.mark.slow

# Bounded for ~2 cores: per operation and phase, fixed seed and derandomized, so a run is repeatable.
MAX_EXAMPLES = 15
MAX_STATEFUL_STEPS = 10
SEED = 9457
CHECKS = ("not_a_server_error", "status_code_conformance", "content_type_conformance", "response_schema_conformance")


@dataclass
class ApiServer:
    url: str
    log: Path

    def log_tail(self, size: int = 6000) -> str:
        return self.log.read_text(errors="replace")[-size:]

    def log_errors(self, size: int = 20000) -> str:
        """The server's ERROR records (a 500's traceback among them), else the log's tail."""
        lines = [line for line in self.log.read_text(errors="replace").splitlines() if '"level": "ERROR"' in line]
        return "\n".join(lines)[-size:] if lines else self.log_tail()


@pytest.fixture
def api_server(committed_db, django_db_setup, tmp_path):
    """gunicorn serving config.wsgi with the test settings, on the pytest database (committed data)."""
    env = app_environment(django_db_setup)  # this xdist worker's database and Redis
    log = tmp_path / "server.log"
    with gunicorn(env, log, workers=2) as port:
        yield ApiServer(url=f"http://127.0.0.1:{port}", log=log)


def _seed(url: str, secret: str) -> dict[str, list[str]]:
    """Made through the API itself: a theme with a draft holding one of everything, and an archived
    version (whose edits must answer the immutable-version problem)."""
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {secret}"

    def call(method, path, body):
        response = session.request(method, f"{url}/api/v1{path}", json=body, timeout=30)
        assert response.status_code < 300, (method, path, response.status_code, response.text[:600])
        return response.json()

    theme = call("POST", "/themes/", {"name": "Lake", "enabled_locales": ["en", "fr"], "fallback_chain": ["fr", "en"]})
    version = call("POST", f"/themes/{theme['id']}/versions/", {"release_notes": "seed"})
    call("PUT", f"/versions/{version['id']}/locales/en/", {"entries": samples.valid_default_entries()})
    call("PUT", f"/versions/{version['id']}/locales/fr/", {"entries": samples.valid_translated_entries()})
    block = call("POST", f"/versions/{version['id']}/content-blocks/", {
        "surface": "home", "kind": "rich_text", "body": {"en": {"format": "markdown", "value": "## Welcome"}},
        "meta": samples.valid_meta("rich_text"),
    })
    call("PUT", f"/versions/{version['id']}/navigation/header/", {"items": samples.valid_navigation_items()})
    call("PUT", f"/versions/{version['id']}/booking-flow/", {
        "steps": samples.valid_steps(), "toggles": samples.valid_toggles(), "consent": samples.valid_consent()})
    call("PUT", f"/versions/{version['id']}/email-theme/", {
        "tokens": samples.valid_email_tokens(), "logo_ref": samples.valid_logo_ref(), "footer": samples.valid_footer()})
    preview = call("POST", f"/versions/{version['id']}/preview-tokens/", {"expires_in_days": 1})
    retired = call("POST", f"/themes/{theme['id']}/versions/", {"from_version_id": version["id"]})
    call("POST", f"/versions/{retired['id']}/archive/", {"version": retired["version"]})
    return {"theme_id": [theme["id"]], "version_id": [version["id"], retired["id"]], "block_id": [block["id"]],
            "locale": ["en", "fr"], "token": [preview["token"]]}


def _config(url: str, secret: str, ids: dict[str, list[str]]) -> schemathesis.Config:
    checks = {"enabled": False, **{name: {"enabled": True} for name in CHECKS}}
    return schemathesis.Config.from_dict({
        "seed": SEED,
        "base-url": url,
        "headers": {"Authorization": f"Bearer {secret}"},
        "workers": 1,
        "request-timeout": 30,
        "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none"},
        "checks": checks,
        "phases": {"stateful": {"max-steps": MAX_STATEFUL_STEPS}},
        # Real ids most of the time, so cases reach past the 404 into the use cases; generated ones otherwise.
        "dictionaries": {name: {"values": values} for name, values in ids.items()},
        "parameters": {f"path.{name}": {"dictionary": name, "probability": 0.8} for name in ids},
        "cache": {"enabled": False},
        "continue-on-failure": True,
        "operations": [
            # They would revoke or replace the very key this run authenticates with.
            {"include-path-regex": "^/api/v1/api-keys/[^/]+/(revoke|rotate)/$", "enabled": False},
            # Readiness answers 503 while a dependency is down, by design; and worker health does,
            # since no Celery worker runs here.
            {"include-operation-id": "ready_retrieve",
             "checks": {"not_a_server_error": {"expected-statuses": ["2XX", "3XX", "4XX", 503]}}},
            {"include-operation-id": "health_worker_retrieve",
             "checks": {"not_a_server_error": {"expected-statuses": ["2XX", "3XX", "4XX", 503]}}},
        ],
    })


def _describe(recorder, case_id: str, node) -> str:
    interaction = recorder.interactions.get(case_id)
    response = interaction.response if interaction else None
    failure = node.failure_info.failure
    lines = [f"[{node.name}] {failure.operation}: {failure.title}", failure.message.strip()]
    if response is not None:
        lines.append(f"-> {response.status_code} {response.headers.get('content-type')}: "
                     f"{(response.content or b'')[:400].decode(errors='replace')}")
    lines.append(node.failure_info.code_sample[:800])
    return "\n".join(lines)


@dataclass
class RunOutcome:
    failures: dict[tuple[str, str, str], str] = field(default_factory=dict)  # (operation, check, title) → report
    errors: list[str] = field(default_factory=list)
    stateful_transitions: int = 0
    stop_reason: StopReason | None = None


def _run(schema) -> RunOutcome:
    """Every phase of the engine (as `schemathesis run` does), each distinct failure once."""
    outcome = RunOutcome()
    for event in schemathesis.engine.from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            recorder = event.recorder
            for case_id, nodes in recorder.checks.items():
                for node in (n for n in nodes if n.failure_info is not None):
                    failure = node.failure_info.failure
                    key = (failure.operation or "", node.name, failure.title)
                    outcome.failures.setdefault(key, _describe(recorder, case_id, node))
        elif isinstance(event, events.PhaseStarted) and isinstance(event.payload, events.StatefulPhasePayload):
            outcome.stateful_transitions = event.payload.transitions_selected
        elif isinstance(event, events.NonFatalError):
            outcome.errors.append(f"{event.label}: {event.info.format()}")
        elif isinstance(event, events.FatalError):
            raise event.exception
        elif isinstance(event, events.EngineFinished):
            outcome.stop_reason = event.stop_reason
    return outcome


def test_api_schema__schemathesis_run__no_5xx_and_every_response_as_documented(api_server, keyed_tenant_factory):
    keyed = keyed_tenant_factory(role="admin", properties=1)
    ids = _seed(api_server.url, keyed.secret)
    config = _config(api_server.url, keyed.secret, ids)
    outcome = _run(schemathesis.openapi.from_url(f"{api_server.url}/api/schema/", config=config))

    assert outcome.stop_reason == StopReason.COMPLETED, outcome.stop_reason
    # Links inferred from Location headers and response fields: the stateful phase chained calls.
    assert outcome.stateful_transitions > 0
    report = "\n\n".join(outcome.failures.values())
    assert not outcome.failures and not outcome.errors, (
        f"{len(outcome.failures)} distinct failure(s), {len(outcome.errors)} error(s):\n\n{report}\n\n"
        + "\n".join(outcome.errors) + f"\n\nserver log:\n{api_server.log_errors()}"
    )
