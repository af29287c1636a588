"""The HTTP AI provider: drafts palettes, translations and content through any OpenAI-compatible API.

What goes over the wire is fixed by the prompt templates (prompts.py): a system message that states the
task, the JSON schema of the answer and that the user message is DATA, and a user message that is
nothing but `json.dumps` of the request. Tenant text is never spliced into instructions. The answer
(`choices[0].message.content`) is parsed as JSON and checked against the template's schema and the
request (same translation keys, same content kind); it is returned as data and never executed or
rendered here. The domain validators (design tokens, content bodies with nh3) still run when a
draft is stored; this module only guarantees the shape.

Settings (read with getattr, then the environment, then the default): AI_HTTP_BASE_URL (e.g.
https://api.openai.com/v1), AI_HTTP_API_KEY, AI_HTTP_MODEL, AI_HTTP_TIMEOUT_SECONDS (30),
AI_HTTP_MAX_RETRIES (3).
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import os
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import urllib3

from ai_workspace.errors import ProviderErrorCode
from ai_workspace.providers import ProviderResult
from ai_workspace.providers.prompts import (  # noqa: F401  (re-exported)
    CONTENT_OUTPUT_SCHEMA,
    CONTENT_V1,
    PALETTE_OUTPUT_SCHEMA,
    PALETTE_V1,
    TEMPLATES,
    TRANSLATION_OUTPUT_SCHEMA,
    TRANSLATION_V1,
    PromptTemplate,
    schema_violations,
)
from themeconfig.platform.errors import DomainError

PROVIDER_NAME = "http"
MAX_RESPONSE_BYTES = 1024 * 1024  # a draft is a few KiB; anything bigger is not an answer
MAX_REQUEST_BYTES = 256 * 1024


# What our own API answers when the provider fails: the fault is upstream, not the caller's.
_HTTP_STATUS = {
    ProviderErrorCode.NOT_CONFIGURED: 503,
    ProviderErrorCode.TIMEOUT: 504,
    ProviderErrorCode.RATE_LIMITED: 503,
    ProviderErrorCode.UNAVAILABLE: 503,
    ProviderErrorCode.HTTP_ERROR: 502,
    ProviderErrorCode.MALFORMED_OUTPUT: 502,
    ProviderErrorCode.REQUEST_TOO_LARGE: 422,
}


class ProviderError(DomainError):
    """A provider call that failed; `retryable` says whether trying again later may help."""

    def __init__(self, code: ProviderErrorCode, message: str, *, retryable: bool, upstream_status: int | None = None,
                 attempts: int = 1):
        super().__init__(code, message, http_status=_HTTP_STATUS[code],
                         extra={"retryable": retryable, "upstream_status": upstream_status, "attempts": attempts})
        self.retryable = retryable
        self.upstream_status = upstream_status
        self.attempts = attempts

    def __repr__(self) -> str:
        return f"ProviderError({self.code!r}, {self.message!r}, retryable={self.retryable})"



# ---------------------------------------------------------------------------------------------
# The protocol client.


@dataclass(frozen=True)
class ChatCompletion:
    """A parsed, shape-checked answer and what it cost."""

    output: dict[str, Any]
    model: str | None
    prompt_tokens: int | None
    completion_tokens: int | None
    attempts: int
    response_format: str
    timings_ms: dict[str, int] = field(default_factory=dict)


def _ms(seconds: float) -> int:
    return round(seconds * 1000)


class ChatCompletionsClient:
    """POSTs `{base_url}/chat/completions` with retries; returns the answer's JSON object, checked."""

    def __init__(
        self,
        base_url: str,
        api_key: str,
        model: str,
        *,
        timeout_seconds: float = 30.0,
        max_retries: int = 3,
        backoff_base_seconds: float = 0.5,
        backoff_cap_seconds: float = 20.0,
        retry_after_cap_seconds: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
        jitter: Callable[[], float] = random.random,
    ):
        if not base_url or not model:
            raise ProviderError(ProviderErrorCode.NOT_CONFIGURED,
                                "The HTTP AI provider needs AI_HTTP_BASE_URL and AI_HTTP_MODEL.", retryable=False)
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ProviderError(ProviderErrorCode.NOT_CONFIGURED, "AI_HTTP_BASE_URL must be an http(s) URL.",
                                retryable=False)
        self.url = base_url.rstrip("/") + "/chat/completions"
        self.endpoint_host = parts.hostname if parts.port is None else f"{parts.hostname}:{parts.port}"
        self._api_key = api_key
        self.model = model
        self.timeout_seconds = float(timeout_seconds)
        self.max_retries = max(0, int(max_retries))
        self.backoff_base_seconds = backoff_base_seconds
        self.backoff_cap_seconds = backoff_cap_seconds
        self.retry_after_cap_seconds = retry_after_cap_seconds
        self._sleep = sleep
        self._jitter = jitter
        # Retries are ours (they must see 429 and the body); urllib3's are off.
        self._pool = urllib3.PoolManager(retries=False, timeout=urllib3.Timeout(
            connect=self.timeout_seconds, read=self.timeout_seconds))

    def __repr__(self) -> str:  # never the key
        return f"ChatCompletionsClient({self.url!r}, model={self.model!r})"

    def complete(self, *, system: str, user: str, schema_name: str, schema: Mapping[str, Any],
                 temperature: float) -> ChatCompletion:
        started = time.monotonic()
        response_format: dict[str, Any] = {
            "type": "json_schema",
            # strict mode cannot express name → value maps; the answer is checked here instead.
            "json_schema": {"name": schema_name, "schema": schema, "strict": False},
        }
        attempt = 0
        fell_back = False
        while True:
            attempt += 1
            body = {
                "model": self.model,
                "messages": [{"role": "system", "content": system}, {"role": "user", "content": user}],
                "temperature": temperature,
                "response_format": response_format,
            }
            try:
                status, headers, raw = self._post(body)
            except ProviderError as error:
                error.attempts = attempt
                error.extra["attempts"] = attempt
                if not error.retryable or attempt > self.max_retries:
                    raise
                self._sleep(self._backoff(attempt))
                continue
            if status == 400 and not fell_back and b"response_format" in raw:
                # An older server without json_schema: ask for a JSON object; the schema is in the prompt.
                fell_back = True
                response_format = {"type": "json_object"}
                attempt -= 1
                continue
            if 200 <= status < 300:
                completion = self._parse(raw, schema, attempt, response_format["type"])
                return dataclasses.replace(completion, timings_ms={"total": _ms(time.monotonic() - started)})
            error = self._status_error(status, attempt)
            if not error.retryable or attempt > self.max_retries:
                raise error
            delay = self._backoff(attempt)
            if status == 429:
                delay = self._retry_after(headers.get("Retry-After"), default=delay)
            self._sleep(delay)

    def _post(self, body: dict[str, Any]) -> tuple[int, Mapping[str, str], bytes]:
        payload = json.dumps(body, ensure_ascii=False).encode()
        if len(payload) > MAX_REQUEST_BYTES:
            raise ProviderError(ProviderErrorCode.REQUEST_TOO_LARGE, "The request is too large for the AI provider.",
                                retryable=False)
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self._api_key:
            headers["Authorization"] = f"Bearer {self._api_key}"
        try:
            response = self._pool.request("POST", self.url, body=payload, headers=headers,
                                          preload_content=False, redirect=False)
            try:
                raw = response.read(MAX_RESPONSE_BYTES + 1)
            finally:
                response.release_conn()
        except urllib3.exceptions.NewConnectionError as error:  # before TimeoutError: it subclasses it
            raise ProviderError(ProviderErrorCode.UNAVAILABLE, "The AI provider could not be reached.",
                                retryable=True) from error
        except urllib3.exceptions.TimeoutError as error:
            raise ProviderError(ProviderErrorCode.TIMEOUT,
                                f"The AI provider did not answer within {self.timeout_seconds:g} s.",
                                retryable=True) from error
        except urllib3.exceptions.HTTPError as error:  # reset, protocol errors, TLS
            raise ProviderError(ProviderErrorCode.UNAVAILABLE, "The connection to the AI provider failed.",
                                retryable=True) from error
        if len(raw) > MAX_RESPONSE_BYTES:
            raise ProviderError(ProviderErrorCode.MALFORMED_OUTPUT, "The AI provider's answer is too large.",
                                retryable=False, upstream_status=response.status)
        return response.status, response.headers, raw

    def _status_error(self, status: int, attempt: int) -> ProviderError:
        if status == 429:
            return ProviderError(ProviderErrorCode.RATE_LIMITED, "The AI provider is rate limiting us.",
                                 retryable=True, upstream_status=status, attempts=attempt)
        # 5xx (and 408) may pass; other 4xx (auth, bad model, bad request) will not get better.
        retryable = status >= 500 or status == 408
        return ProviderError(ProviderErrorCode.HTTP_ERROR, f"The AI provider answered HTTP {status}.",
                             retryable=retryable, upstream_status=status, attempts=attempt)

    def _backoff(self, attempt: int) -> float:
        """Exponential with "equal jitter": half the step fixed, half random, so clients spread out."""
        step = min(self.backoff_cap_seconds, self.backoff_base_seconds * 2 ** (attempt - 1))
        return step / 2 + step / 2 * self._jitter()

    def _retry_after(self, value: str | None, *, default: float) -> float:
        if not value:
            return default
        try:
            seconds = float(value)
        except ValueError:
            try:
                seconds = parsedate_to_datetime(value).timestamp() - time.time()
            except (TypeError, ValueError):
                return default
        if not math.isfinite(seconds):
            return default
        return min(max(seconds, 0.0), self.retry_after_cap_seconds)

    def _parse(self, raw: bytes, schema: Mapping[str, Any], attempts: int, response_format: str) -> ChatCompletion:
        def malformed(reason: str) -> ProviderError:
            # Not retried: the same prompt tends to give the same wrong shape, and each try costs tokens.
            return ProviderError(ProviderErrorCode.MALFORMED_OUTPUT, f"The AI provider's answer {reason}.",
                                 retryable=False, upstream_status=200, attempts=attempts)

        try:
            envelope = json.loads(raw)
            content = envelope["choices"][0]["message"]["content"]
        except (ValueError, KeyError, IndexError, TypeError) as error:
            raise malformed("is not a chat completion") from error
        if not isinstance(content, str):
            raise malformed("has no text content")
        try:
            output = json.loads(content)
        except ValueError as error:
            raise malformed("is not JSON") from error
        problems = schema_violations(output, schema)
        if problems:
            # The paths hold names the model chose: keep them short, they end up in an API answer.
            raise malformed("does not have the expected shape (" + "; ".join(problems[:5])[:500] + ")")
        usage = envelope.get("usage") if isinstance(envelope.get("usage"), dict) else {}
        return ChatCompletion(
            output=output,
            model=envelope.get("model") if isinstance(envelope.get("model"), str) else None,
            prompt_tokens=_count(usage.get("prompt_tokens")),
            completion_tokens=_count(usage.get("completion_tokens")),
            attempts=attempts,
            response_format=response_format,
        )


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


# ---------------------------------------------------------------------------------------------
# The provider: one method per draft kind, each returning (output, provenance).


def _plain(request: Any) -> dict[str, Any]:
    if dataclasses.is_dataclass(request) and not isinstance(request, type):
        return dataclasses.asdict(request)
    if isinstance(request, Mapping):
        return dict(request)
    raise TypeError("A provider request is a mapping or a dataclass instance.")


def _setting(name: str, default: Any) -> Any:
    from django.conf import settings

    value = getattr(settings, name, None)
    if value is None or value == "":
        value = os.environ.get(name, default)
    return default if value == "" else value


class HttpProvider:
    """Drafts through a ChatCompletionsClient; the output is shape-checked data, never instructions."""

    name = PROVIDER_NAME

    def __init__(self, client: ChatCompletionsClient | None = None):
        self.client = client if client is not None else self.client_from_settings()

    @staticmethod
    def client_from_settings(**client_options: Any) -> ChatCompletionsClient:
        return ChatCompletionsClient(
            str(_setting("AI_HTTP_BASE_URL", "")),
            str(_setting("AI_HTTP_API_KEY", "")),
            str(_setting("AI_HTTP_MODEL", "")),
            timeout_seconds=float(_setting("AI_HTTP_TIMEOUT_SECONDS", 30)),
            max_retries=int(_setting("AI_HTTP_MAX_RETRIES", 3)),
            **client_options,
        )

    def palette(self, request: Any) -> ProviderResult:
        """request: {brand_colors, mood, brand_fonts?, current_tokens?, style_preferences?, direction?};
        output: {color: {name: css colour}, rationale}."""
        return self._draft(PALETTE_V1, _plain(request))

    def translation(self, request: Any) -> ProviderResult:
        """request: {source_entries: {key: ICU message}, target_locale, source_locale?, plural_categories?};
        output: {entries} with exactly the keys of source_entries."""
        data = _plain(request)
        result = self._draft(TRANSLATION_V1, data)
        output = result.output
        asked, got = set(data.get("source_entries") or {}), set(output["entries"])
        if asked != got:
            raise self._malformed(
                f"translated other keys (missing {sorted(asked - got)[:5]}, extra {sorted(got - asked)[:5]})")
        return result

    def content(self, request: Any) -> ProviderResult:
        """request: {surface, kind, locale, brand?, property_facts?}; output: {body: {locale: ...}, meta}."""
        data = _plain(request)
        result = self._draft(CONTENT_V1, data)
        output = result.output
        if output["meta"]["kind"] != data.get("kind"):
            raise self._malformed("drafted another kind of block")
        if set(output["body"]) != {data.get("locale")}:
            raise self._malformed(f"wrote other locales than {data.get('locale')!r} ({sorted(output['body'])[:5]})")
        return result

    def _draft(self, template: PromptTemplate, data: dict[str, Any]) -> ProviderResult:
        # The user message is the data and only the data; sort_keys makes the hash stable.
        user = json.dumps(data, ensure_ascii=False, sort_keys=True)
        completion = self.client.complete(system=template.system_message(), user=user,
                                          schema_name=template.schema_name, schema=template.schema,
                                          temperature=template.temperature)
        return ProviderResult(
            output=completion.output, provider=PROVIDER_NAME, model=self.client.model,
            prompt_template_id=template.id, prompt_template_version=template.version,
            parameters={"temperature": template.temperature, "response_format": completion.response_format,
                        "timeout_seconds": self.client.timeout_seconds, "max_retries": self.client.max_retries},
            timings_ms=completion.timings_ms, input_tokens=completion.prompt_tokens,
            output_tokens=completion.completion_tokens,
            extra={"response_model": completion.model, "endpoint_host": self.client.endpoint_host,
                   "input_sha256": hashlib.sha256(user.encode()).hexdigest(), "attempts": completion.attempts},
        )

    @staticmethod
    def _malformed(reason: str) -> ProviderError:
        return ProviderError(ProviderErrorCode.MALFORMED_OUTPUT, f"The AI provider's answer {reason}.",
                             retryable=False, upstream_status=200)


def palette(request: Any) -> ProviderResult:
    return HttpProvider().palette(request)


def translation(request: Any) -> ProviderResult:
    return HttpProvider().translation(request)


def content(request: Any) -> ProviderResult:
    return HttpProvider().content(request)
