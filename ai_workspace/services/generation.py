"""Use cases of AI generation: ask for a draft (a job, answered at once), and run the job (a worker).

Asking checks what can be checked without the provider (the target exists and is editable, the
mood, locale, surface and kind are valid, a brand kit or source entries exist), records `base`,
the state the draft will be bound to, and holds the tenant to its limits: at most
AI_MAX_PENDING_DRAFTS drafts waiting for review (pending drafts plus unfinished jobs) and
AI_MAX_GENERATIONS_PER_DAY jobs asked for in any 24 hours, 429 past either (counted in one statement
under a per-tenant lock that the worker's finishing transaction takes too). A worker then reads
the inputs, calls the configured provider outside any transaction, and in one transaction
creates the pending draft (through drafts.py's create use cases: the output passes the same
validators as human input) and marks the job succeeded. Output that fails them never becomes a
draft: the job fails with `MELMASTOON.AI.INVALID_OUTPUT` and each problem's JSON path in `errors`.

What reaches a provider is data only: brand colours and fonts, the current tokens, the default
pack's entries, the facts given for a content block, never an instruction from tenant content
(the HTTP provider puts it in the user message of a fixed, versioned prompt template).
"""
from __future__ import annotations

import dataclasses
import json
import logging
import socket
from datetime import timedelta
from typing import Any, cast

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from ai_workspace import selectors
from ai_workspace.errors import AIErrorCode
from ai_workspace.models import (
    ContentDraft,
    DraftStatus,
    GenerationJob,
    GenerationJobKind,
    GenerationJobStatus,
    PaletteSuggestion,
    TranslationDraft,
)
from ai_workspace.providers import (
    ContentRequest,
    PaletteRequest,
    ProviderInputError,
    ProviderResult,
    TranslationRequest,
    get_provider,
)
from ai_workspace.providers.oklch_palette import MOODS
from ai_workspace.services import drafts
from themeconfig.models import BrandKit, ContentBlock, ContentSurface, Property, Tenant, Theme, ThemeVersion
from themeconfig.platform.errors import DomainError, FieldError, not_found, validation_error
from themeconfig.platform.ids import is_valid_id, new_id
from themeconfig.platform.jobs.dispatch import job_enqueue
from themeconfig.platform.jobs.kinds import JobKind
from themeconfig.platform.jobs.reaper import jobs_reap
from themeconfig.platform.jobs.runner import job_claimed, job_fail, job_succeed
from themeconfig.platform.locks import tenant_lock
from themeconfig.platform.permissions import Permission
from themeconfig.platform.principal import Principal, use_case
from themeconfig.platform.tenant_context import tenant_context
from themeconfig.services.audit import audit_record
from themeconfig.services.rules import choice_errors
from themeconfig.services.version_children import default_locale_entries
from themeconfig.services.versions import editable_version
from themeconfig.validators import CONTENT_BLOCK_KINDS, ContractViolation, validate_locale_enabled
from themeconfig.validators.brand_kit import tokens_from_brand_kit

logger = logging.getLogger(__name__)
FINISHED = (GenerationJobStatus.SUCCEEDED, GenerationJobStatus.FAILED)
# Runs a job gets before it is failed with WORKER_LOST (a job that kills its worker every time).
MAX_RUNS = 4
GENERATION_JOBS = JobKind(model=GenerationJob, task_name="ai_workspace.run_generation_job_task", finished=FINISHED,
                          entity_type="ai_generation_job", max_runs=MAX_RUNS, worker_lost=AIErrorCode.WORKER_LOST,
                          audit=audit_record)
MAX_FACTS_BYTES = 16 * 1024
PLURAL_CATEGORY_MODES = ("target", "source")
DAY = timedelta(hours=24)


def max_pending_drafts() -> int:
    return int(getattr(settings, "AI_MAX_PENDING_DRAFTS", 50))


def max_generations_per_day() -> int:
    return int(getattr(settings, "AI_MAX_GENERATIONS_PER_DAY", 200))


# --- asking ---------------------------------------------------------------------------------------

# One statement, so one snapshot: a worker that turns an unfinished job into a pending draft between
# two separate counts would otherwise be counted in neither and free a slot that is not free.
_LIMITS_SQL = """
SELECT (SELECT count(*) FROM {palettes} WHERE tenant_id = %(tenant)s AND status = %(pending)s)
     + (SELECT count(*) FROM {translations} WHERE tenant_id = %(tenant)s AND status = %(pending)s)
     + (SELECT count(*) FROM {contents} WHERE tenant_id = %(tenant)s AND status = %(pending)s)
     + (SELECT count(*) FROM {jobs} WHERE tenant_id = %(tenant)s AND status <> ALL(%(finished)s)) AS waiting,
       (SELECT count(*) FROM (SELECT 1 FROM {jobs} WHERE tenant_id = %(tenant)s AND created_at > %(since)s
                              LIMIT %(per_day)s) AS recent) AS recent,
       (SELECT created_at FROM {jobs} WHERE tenant_id = %(tenant)s AND created_at > %(since)s
         ORDER BY created_at DESC OFFSET %(per_day)s - 1 LIMIT 1) AS oldest_counted
"""


def _limits_sql() -> str:
    quote = connection.ops.quote_name
    return _LIMITS_SQL.format(palettes=quote(PaletteSuggestion._meta.db_table),
                              translations=quote(TranslationDraft._meta.db_table),
                              contents=quote(ContentDraft._meta.db_table), jobs=quote(GenerationJob._meta.db_table))


def _hold_generation_lock(tenant_id: str) -> None:
    """The lock every writer of the counted rows takes: asking (a new job) and finishing (a job becomes
    a pending draft), so a count under it is never one of a worker's half-finished moves.

    Taken before any row lock, by both: a worker finishing a translation or content job holds it when it
    locks the job's version (`editable_version`), so an ask that locked that version first and then
    waited for this lock deadlocked with it."""
    tenant_lock("ai_generation", tenant_id)


def _hold_to_limits(tenant_id: str) -> None:
    """429 past the tenant's limits, counted in one statement; the caller holds the generation lock."""
    now = timezone.now()
    per_day = max_generations_per_day()
    limit = max_pending_drafts()
    with connection.cursor() as cursor:
        cursor.execute(_limits_sql(), {"tenant": tenant_id, "pending": DraftStatus.PENDING.value,
                                       "finished": [str(s) for s in FINISHED], "since": now - DAY,
                                       "per_day": max(per_day, 1)})
        waiting, recent, oldest_counted = cursor.fetchone()
    if recent >= per_day:
        retry_after = max(1, int((oldest_counted + DAY - now).total_seconds()) + 1) if oldest_counted else 1
        raise DomainError(
            AIErrorCode.DAILY_LIMIT,
            f"This tenant asked for {per_day} AI drafts in the last 24 hours, its limit; try again later.",
            http_status=429, extra={"limit": per_day, "retry_after_seconds": retry_after},
        )
    if waiting >= limit:
        raise DomainError(
            AIErrorCode.PENDING_LIMIT,
            f"{waiting} AI drafts are waiting for review or being generated (the limit is {limit}); "
            "approve or reject some first.",
            http_status=429, extra={"limit": limit, "pending": waiting},
        )


def _new_job(*, principal: Principal, kind: str, theme: Theme, version: ThemeVersion | None, parameters: dict[str, Any],
             base: dict[str, Any]) -> GenerationJob:
    provider = get_provider()  # a misconfigured provider is refused now (503), not after a queue wait
    _hold_to_limits(principal.bound_tenant_id)  # under the generation lock the ask took first
    job = GenerationJob.objects.create(
        id=new_id("aij"), tenant_id=principal.bound_tenant_id, kind=kind, theme_id=theme.pk,
        theme_version_id=version.pk if version else None, parameters=parameters, base=base,
        provider=provider.name, requested_by=principal.actor, principal=principal.as_payload(),
        trace={"requested_at": timezone.now().isoformat()},
    )
    audit_record(principal=principal, action="ai_generation_job.requested", entity_type="ai_generation_job",
                 entity_id=job.pk, new={"kind": kind, "theme_id": theme.pk, "version_id": job.theme_version_id,
                                        "parameters": parameters, "provider": provider.name})
    transaction.on_commit(lambda: enqueue_generation_job(job_id=job.pk, tenant_id=job.tenant_id))
    return job


def enqueue_generation_job(*, job_id: str, tenant_id: str) -> None:
    """Hands the job to a worker. With the broker down the job is committed and marked, and is sent
    as soon as the broker answers again (themeconfig/platform/jobs/dispatch.py)."""
    job_enqueue(GENERATION_JOBS, job_id=job_id, tenant_id=tenant_id)


def _live_theme(theme_id: str) -> Theme:
    theme = Theme.objects.filter(pk=theme_id, deleted_at__isnull=True).first() if is_valid_id(theme_id, "thm") else None
    if theme is None:
        raise not_found("theme")
    return theme


def _brand_kit(brand_kit_id: str | None, errors: list[FieldError]) -> BrandKit | None:
    kits = BrandKit.objects.filter(deleted_at__isnull=True)
    if brand_kit_id is not None:
        kit = kits.filter(pk=brand_kit_id).first() if is_valid_id(brand_kit_id, "bkt") else None
        if kit is None:
            errors.append(FieldError("/brand_kit_id", "unknown", "No such brand kit."))
        return kit
    kit = kits.filter(is_default=True).first()
    if kit is None:
        errors.append(FieldError("/brand_kit_id", "required",
                                 "The tenant has no default brand kit: name one, or make one the default."))
    return kit


def palette_generation_request(*, principal: Principal, theme_id: str, mood: str, brand_kit_id: str | None = None,
                               version_id: str | None = None) -> GenerationJob:
    """A job drafting a palette for a theme from a brand kit (default: the tenant's default kit) and a
    mood; the draft keeps the non-colour tokens of `version_id` (default: the newest draft version)."""
    with use_case(principal, Permission.THEMES_EDIT):
        _hold_generation_lock(principal.bound_tenant_id)  # before any row (see there)
        theme = _live_theme(theme_id)
        errors = [] if mood in MOODS else [
            FieldError("/mood", "invalid_choice", f"Mood must be one of {', '.join(MOODS)}.")]
        kit = _brand_kit(brand_kit_id, errors)
        base = selectors.palette_draft_base(theme.pk)
        if version_id is not None and version_id not in base["versions"]:
            errors.append(FieldError("/version_id", "not_editable", "Not a draft or preview-ready version of this theme."))
        elif not base["versions"]:
            errors.append(FieldError("/version_id", "required",
                                     "The theme has no draft version to apply a palette to: create one first."))
        if errors:
            raise validation_error(errors)
        assert kit is not None  # no errors: the kit was found
        if version_id is not None:
            base = {**base, "version_id": version_id,
                    "tokens_sha256": selectors.tokens_sha256(ThemeVersion.objects.get(pk=version_id).tokens)}
        return _new_job(principal=principal, kind=GenerationJobKind.PALETTE, theme=theme, version=None,
                        parameters={"mood": mood, "brand_kit_id": kit.pk, "version_id": base["version_id"]}, base=base)


def translation_generation_request(*, principal: Principal, version_id: str, locale: str,
                                   plural_categories: str = "target") -> GenerationJob:
    """A job drafting the entries of `locale`'s pack of a draft version from its default-locale pack.
    plural_categories "target" (default) gives plurals the target language's categories, as the pack
    validator asks; "source" keeps the source's."""
    with use_case(principal, Permission.THEMES_EDIT):
        _hold_generation_lock(principal.bound_tenant_id)  # before any row (see there)
        version = editable_version(version_id)
        theme = version.theme
        errors = choice_errors("plural_categories", plural_categories, list(PLURAL_CATEGORY_MODES))
        try:
            validate_locale_enabled(locale, enabled_locales=theme.enabled_locales)
        except ContractViolation as violation:
            errors += [FieldError("/locale" + i.path, i.code, i.message) for i in violation.issues]
        if not errors:
            if locale == theme.default_locale:
                errors.append(FieldError("/locale", "default_locale",
                                         "That is the default locale, the source of translations; pick another."))
            elif not default_locale_entries(version, locale):
                errors.append(FieldError("/locale", "no_source",
                                         f"The {theme.default_locale} pack has no entries to translate yet."))
        if errors:
            raise validation_error(errors)
        return _new_job(principal=principal, kind=GenerationJobKind.TRANSLATION, theme=theme, version=version,
                        parameters={"locale": locale, "source_locale": theme.default_locale,
                                    "plural_categories": plural_categories},
                        base=selectors.version_draft_base(version.pk))


def _checked_facts(facts: Any, errors: list[FieldError]) -> dict[str, Any]:
    if facts is None:
        return {}
    if not isinstance(facts, dict):
        errors.append(FieldError("/facts", "invalid", "Facts are a JSON object (name, city, description, images, …)."))
        return {}
    if len(json.dumps(facts, ensure_ascii=False).encode()) > MAX_FACTS_BYTES:
        errors.append(FieldError("/facts", "too_large", f"Facts are at most {MAX_FACTS_BYTES // 1024} KiB of JSON."))
    return facts


def content_generation_request(*, principal: Principal, version_id: str, surface: str, kind: str,
                               locale: str | None = None, content_block_id: str | None = None,
                               property_id: str | None = None, facts: dict[str, Any] | None = None) -> GenerationJob:
    """A job drafting a content block of `kind` on `surface` (new, or replacing `content_block_id`) in
    `locale` (default: the theme's default locale), from the brand kit, the property (default: the
    theme's) and the `facts` given (city, description, images, amenities, …: data for the templates)."""
    errors = choice_errors("surface", surface, ContentSurface.values)
    if kind not in CONTENT_BLOCK_KINDS:
        errors.append(FieldError("/kind", "invalid_choice", f"Kind must be one of {', '.join(sorted(CONTENT_BLOCK_KINDS))}."))
    facts = _checked_facts(facts, errors)
    with use_case(principal, Permission.THEMES_EDIT):
        _hold_generation_lock(principal.bound_tenant_id)  # before any row (see there)
        version = editable_version(version_id)
        theme = version.theme
        locale = locale if locale is not None else theme.default_locale
        try:
            validate_locale_enabled(locale, enabled_locales=theme.enabled_locales)
        except ContractViolation as violation:
            errors += [FieldError("/locale" + i.path, i.code, i.message) for i in violation.issues]
        if content_block_id is not None:
            block = (ContentBlock.objects.filter(pk=content_block_id, theme_version_id=version.pk).first()
                     if is_valid_id(content_block_id, "cnb") else None)
            if block is None:
                errors.append(FieldError("/content_block_id", "unknown_block", "No such block in this version."))
            elif (block.surface, block.kind) != (surface, kind):
                errors.append(FieldError("/content_block_id", "mismatch", f"That block is a {block.kind} on {block.surface}."))
        property_id = property_id if property_id is not None else theme.property_id
        if property_id is not None and not (
                is_valid_id(property_id, "prp") and Property.objects.filter(pk=property_id, deleted_at__isnull=True).exists()):
            errors.append(FieldError("/property_id", "unknown", "No such property."))
        if errors:
            raise validation_error(errors)
        return _new_job(principal=principal, kind=GenerationJobKind.CONTENT, theme=theme, version=version,
                        parameters={"surface": surface, "kind": kind, "locale": locale,
                                    "content_block_id": content_block_id, "property_id": property_id, "facts": facts},
                        base=selectors.version_draft_base(version.pk))


# --- running a job (a worker) ---------------------------------------------------------------------

def _provider_request(job: GenerationJob) -> PaletteRequest | TranslationRequest | ContentRequest:
    """The provider's request, read from the tenant's data now (the job's transaction)."""
    p = job.parameters
    if job.kind == GenerationJobKind.PALETTE:
        kit = BrandKit.objects.filter(pk=p["brand_kit_id"], deleted_at__isnull=True).first()
        if kit is None:
            raise ProviderInputError("/brand_kit_id", "The brand kit was deleted after the job was asked for.")
        version = ThemeVersion.objects.filter(pk=p.get("version_id")).first()
        return PaletteRequest.from_brand_kit(kit, mood=p["mood"], current_tokens=version.tokens if version else None)
    version = ThemeVersion.objects.select_related("theme").get(pk=job.theme_version_id)
    if job.kind == GenerationJobKind.TRANSLATION:
        return TranslationRequest(source_entries=default_locale_entries(version, p["locale"]) or {},
                                  target_locale=p["locale"], source_locale=p["source_locale"],
                                  plural_categories=p["plural_categories"])
    kit = BrandKit.objects.filter(is_default=True, deleted_at__isnull=True).first()
    brand = {"name": Tenant.objects.filter(pk=job.tenant_id).values_list("name", flat=True).first()}
    if kit is not None and isinstance(kit.style_preferences, dict) and kit.style_preferences.get("tone"):
        brand["tone"] = kit.style_preferences["tone"]
    facts = dict(p.get("facts") or {})
    if p.get("property_id"):
        facts.setdefault("name", Property.objects.filter(pk=p["property_id"]).values_list("name", flat=True).first())
    return ContentRequest(surface=p["surface"], kind=p["kind"], locale=p["locale"], brand=brand, property_facts=facts)


def _as_token_set(request: PaletteRequest, result: ProviderResult) -> ProviderResult:
    """A provider that drafts colours only ({color, rationale}: the HTTP prompt) gets the rest of the
    token set from the current tokens (or the brand kit's), keeping the kit's `brand_*` swatches as the
    offline provider does; anything else goes to the validators as it came."""
    output = result.output
    if not (isinstance(output, dict) and isinstance(output.get("color"), dict) and set(output) <= {"color", "rationale"}):
        return result
    if request.current_tokens:
        base = dict(request.current_tokens)
    else:
        base = tokens_from_brand_kit(colors=list(request.brand_colors), fonts=list(request.brand_fonts),
                                     direction=request.direction)
    kept = {name: value for name, value in base.get("color", {}).items() if name.startswith("brand_")}
    extra = {**result.extra, "rationale": output["rationale"]} if output.get("rationale") else result.extra
    return dataclasses.replace(result, output={**base, "color": {**kept, **output["color"]}}, extra=extra)


def _create_draft(job: GenerationJob, principal: Principal,
                  result: ProviderResult) -> PaletteSuggestion | TranslationDraft | ContentDraft:
    p = job.parameters
    if job.kind == GenerationJobKind.PALETTE:
        return drafts.palette_draft_create(principal=principal, theme_id=job.theme_id, result=result, base=job.base)
    if job.kind == GenerationJobKind.TRANSLATION:
        return drafts.translation_draft_create(principal=principal, version_id=job.theme_version_id,
                                               locale=p["locale"], result=result, base=job.base)
    return drafts.content_draft_create(principal=principal, version_id=job.theme_version_id, surface=p["surface"],
                                       kind=p["kind"], content_block_id=p.get("content_block_id"), result=result,
                                       base=job.base)


def generation_job_fail(*, job_id: str, tenant_id: str, code: str, message: str,
                        errors: list[FieldError] | None = None, trace: dict[str, Any] | None = None) -> GenerationJob:
    return job_fail(GENERATION_JOBS, job_id=job_id, tenant_id=tenant_id, code=code, message=message,
                    errors=[e.as_dict() for e in errors or []][:100],
                    trace=lambda job: {**job.trace, **(trace or {})})


def generation_job_run(*, job_id: str, tenant_id: str, worker: str | None = None, provider: Any=None) -> GenerationJob | None:
    """Runs one job to its end; safe to call again for the same job (a redelivered task)."""
    trace = {"worker": worker or socket.gethostname()}
    with job_claimed(GENERATION_JOBS, job_id=job_id, tenant_id=tenant_id, status=GenerationJobStatus.RUNNING) as claim:
        if claim.over:
            return claim.job
        job, principal, steps = claim.job, claim.principal, claim.steps
        assert job is not None  # a claim that is not over holds its job
        try:
            request = _provider_request(job)
        except ProviderInputError as error:
            request, input_error = None, error
    if request is None:
        return generation_job_fail(job_id=job_id, tenant_id=tenant_id, code=AIErrorCode.PROVIDER_INPUT_REJECTED,
                                   message=input_error.message, trace=trace,
                                   errors=[FieldError(input_error.field, "invalid", input_error.message)])
    steps.start("provider")
    try:
        provider = provider or get_provider()
        result = getattr(provider, job.kind)(request)
        if job.kind == GenerationJobKind.PALETTE:
            result = _as_token_set(cast(PaletteRequest, request), result)  # a palette job's request
    except ProviderInputError as error:
        return generation_job_fail(job_id=job_id, tenant_id=tenant_id, code=AIErrorCode.PROVIDER_INPUT_REJECTED,
                                   message=error.message, trace=trace,
                                   errors=[FieldError(error.field, "invalid", error.message)])
    except DomainError as error:  # ProviderError: timeouts, 429s and 5xx after the provider's own retries
        return generation_job_fail(job_id=job_id, tenant_id=tenant_id, code=error.code, message=error.message,
                                   trace={**trace, **{k: v for k, v in error.extra.items() if k != "attempts"},
                                          "provider_attempts": error.extra.get("attempts")})
    steps.start("draft")  # ends the provider step: the draft is made and the job finished in one transaction
    trace.update(steps.trace())
    try:
        with tenant_context(tenant_id):
            job = GenerationJob.objects.select_for_update().get(pk=job_id)
            if job.status in FINISHED:
                return job
            _hold_generation_lock(tenant_id)  # the job leaves the count as its draft enters it
            draft = _create_draft(job, principal, result)
            job_succeed(GENERATION_JOBS, job_id=job_id, steps=steps, trace={**job.trace, **trace}, draft_id=draft.pk)
            return GenerationJob.objects.get(pk=job_id)
    except DomainError as error:  # invalid output (422 INVALID_OUTPUT), or the target became immutable/gone
        return generation_job_fail(job_id=job_id, tenant_id=tenant_id, code=error.code, message=error.message,
                                   errors=error.errors, trace=trace)


def reap_stale_generation_jobs(*, stale_after: timedelta) -> int:
    """Unfinished jobs untouched for `stale_after` (a lost worker or enqueue): run again, or fail them
    with WORKER_LOST once they used their runs. Cross-tenant, on the service connection."""
    return jobs_reap(GENERATION_JOBS, stale_after=stale_after, rerun=enqueue_generation_job)
